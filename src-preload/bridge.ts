/**
 * Builds the `window.orchestration` object from an ipcRenderer. Kept apart from index.ts (which
 * imports electron) so tests can run the real bridge over a fake IPC pair.
 */
import { IPC_CHANNELS, type BridgeReply, type OrchestrationBridge } from '../src-shared/bridge';
import type { EventsFrame } from '../src-shared/protocol';

/** The three ipcRenderer methods the bridge uses. */
export interface BridgeIpc {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  send(channel: string, payload: unknown): void;
  on(channel: string, listener: (event: unknown, frame: EventsFrame) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, frame: EventsFrame) => void): unknown;
}

export function createBridge(ipc: BridgeIpc): OrchestrationBridge {
  return {
    call: (method, params) =>
      ipc.invoke(IPC_CHANNELS.call, { method, params }) as Promise<BridgeReply>,
    onEvents(listener) {
      const handler = (_event: unknown, frame: EventsFrame) => listener(frame);
      ipc.on(IPC_CHANNELS.events, handler);
      return () => void ipc.removeListener(IPC_CHANNELS.events, handler);
    },
    subscribe: (sinceSeq, digest) => ipc.send(IPC_CHANNELS.subscribe, { sinceSeq, digest }),
  };
}
