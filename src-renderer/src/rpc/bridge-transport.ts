/**
 * Adapts the Electron preload's narrow `window.orchestration` object to a ClientTransport, so the
 * same client runs over IPC and WebSocket. Request frames become bridge.call(); replies come
 * back as response frames with the request's id.
 */
import type { OrchestrationBridge } from '../../../src-shared/bridge';
import type { ClientFrame, ClientTransport, ServerFrame } from '../../../src-shared/protocol';

export function createBridgeTransport(bridge: OrchestrationBridge): ClientTransport {
  const frameListeners: Array<(raw: unknown) => void> = [];
  const emit = (frame: ServerFrame) => {
    for (const l of frameListeners) l(frame);
  };
  let stopEvents: (() => void) | undefined = bridge.onEvents((frame) => emit(frame));
  return {
    send(frame: ClientFrame) {
      if (frame.type === 'request') {
        void bridge.call(frame.method, frame.params).then(
          (reply) => emit({ type: 'response', id: frame.id, ...reply }),
          (error: unknown) =>
            emit({
              type: 'response',
              id: frame.id,
              error: {
                name: 'OrchestrationError',
                code: 'INTERNAL_ERROR',
                message: `IPC call failed: ${String((error as Error)?.message ?? error)}`,
                severity: 'critical',
                recoverable: false,
                details: {},
              },
            }),
        );
      } else if (frame.type === 'subscribe') bridge.subscribe(frame.sinceSeq, frame.digest);
      // 'unsubscribe': the window keeps its one stream; the client simply stops listening.
    },
    onFrame: (l) => void frameListeners.push(l),
    onClose: () => {}, // IPC lives as long as the window
    onOpen: (l) => queueMicrotask(l),
    close() {
      stopEvents?.();
      stopEvents = undefined;
    },
  };
}
