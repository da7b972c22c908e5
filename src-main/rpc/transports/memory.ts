/**
 * Two connected in-memory transports (tests, and in-process SDK use). Frames are JSON-encoded on
 * the way, as on a socket, so tests see exactly what a real client would.
 */
import type {
  ClientFrame,
  ClientTransport,
  ServerFrame,
  ServerTransport,
} from '../../../src-shared/protocol';

export interface MemoryPair {
  client: ClientTransport;
  server: ServerTransport;
  /** Sends a raw (possibly malformed) frame to the server, as a hostile client could. */
  sendRaw(raw: unknown): void;
}

export function createMemoryPair(): MemoryPair {
  const toServer: Array<(raw: unknown) => void> = [];
  const toClient: Array<(raw: unknown) => void> = [];
  const closeListeners: Array<() => void> = [];
  let open = true;
  // Asynchronous delivery, like any real transport: no re-entrancy surprises in tests.
  const deliver = (listeners: Array<(raw: unknown) => void>, raw: unknown) =>
    queueMicrotask(() => {
      if (open) for (const l of listeners) l(raw);
    });
  const close = () => {
    if (!open) return;
    open = false;
    for (const l of closeListeners) l();
  };
  const client: ClientTransport = {
    send: (frame: ClientFrame) => deliver(toServer, JSON.stringify(frame)),
    onFrame: (l) => void toClient.push(l),
    onClose: (l) => void closeListeners.push(l),
    onOpen: (l) => queueMicrotask(() => open && l()),
    close,
  };
  const server: ServerTransport = {
    send: (frame: ServerFrame) => deliver(toClient, JSON.stringify(frame)),
    onFrame: (l) => void toServer.push(l),
    onClose: (l) => void closeListeners.push(l),
    close,
  };
  return { client, server, sendRaw: (raw) => deliver(toServer, raw) };
}
