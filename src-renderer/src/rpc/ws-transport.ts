/**
 * A reconnecting WebSocket ClientTransport. It works with the browser's WebSocket and with the
 * `ws` package in Node (pass it as `WebSocketImpl`; Node 20 has no global WebSocket).
 * Reconnects with capped exponential backoff; the client re-subscribes from its last seq.
 */
import {
  WS_POLICY_CLOSE,
  type ClientFrame,
  type ClientTransport,
} from '../../../src-shared/protocol';

/** The part of the WebSocket API this transport needs (browser and `ws` both have it). */
export interface MinimalWebSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => MinimalWebSocket;

export interface WebSocketTransportOptions {
  WebSocketImpl?: WebSocketConstructor;
  /** Reconnect after a lost connection (default true). A policy close (bad token) never retries. */
  reconnect?: boolean;
  minDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;

export function createWebSocketTransport(
  url: string,
  options: WebSocketTransportOptions = {},
): ClientTransport {
  const Impl =
    options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) throw new Error('No WebSocket implementation: pass options.WebSocketImpl.');
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const frameListeners: Array<(raw: unknown) => void> = [];
  const openListeners: Array<() => void> = [];
  const closeListeners: Array<() => void> = [];
  let socket: MinimalWebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    const ws = new Impl(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      for (const l of openListeners) l();
    };
    ws.onmessage = (ev) => {
      for (const l of frameListeners) l(ev.data);
    };
    ws.onerror = () => {}; // onclose follows and carries what matters
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = undefined;
      for (const l of closeListeners) l();
      const refused = ev.code === WS_POLICY_CLOSE;
      if (closed || refused || options.reconnect === false) return;
      const delay = Math.min(maxDelay, minDelay * 2 ** attempt++);
      timer = setTimeout(open, delay);
    };
  };
  open();

  return {
    send(frame: ClientFrame) {
      if (!socket || socket.readyState !== OPEN) throw new Error('WebSocket is not open.');
      socket.send(JSON.stringify(frame));
    },
    onFrame: (l) => void frameListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
    onOpen(l) {
      openListeners.push(l);
      if (socket?.readyState === OPEN) queueMicrotask(l);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close(1000, 'client closed');
    },
  };
}
