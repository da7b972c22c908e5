/**
 * The Electron preload bridge: channel names and the shape of `window.orchestration`. Kept free
 * of runtime imports because the sandboxed preload can require nothing but `electron`.
 */
import type { SerializedError } from './errors';
import type { EventsFrame } from './protocol';

/**
 * The one object the preload exposes. `call` resolves with an envelope instead of rejecting
 * because Electron's invoke() flattens a rejected error to its message, losing code and details.
 */
export interface OrchestrationBridge {
  call(method: string, params?: unknown): Promise<BridgeReply>;
  onEvents(listener: (frame: EventsFrame) => void): () => void;
  /** `digest`: message traffic folded per frame (see SubscribeFrame in protocol.ts). */
  subscribe(sinceSeq?: number, digest?: boolean): void;
}
export type BridgeReply = { result: unknown } | { error: SerializedError };

export const IPC_CHANNELS = {
  call: 'orchestration:call',
  subscribe: 'orchestration:subscribe',
  events: 'orchestration:events',
} as const;
