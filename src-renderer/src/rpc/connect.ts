/**
 * Picks the transport for this page: the Electron preload bridge when present, else a WebSocket
 * to the server that served the page, authenticated with the `?token=` from the page URL.
 */
import type { OrchestrationBridge } from '../../../src-shared/bridge';
import { createBridgeTransport } from './bridge-transport';
import { createClient, type Client, type ClientOptions } from './client';
import { createWebSocketTransport } from './ws-transport';

declare global {
  interface Window {
    orchestration?: OrchestrationBridge;
  }
}

/** The WebSocket URL for a page location: same host, `/ws`, carrying the page's token. */
export function webSocketUrlFor(location: { protocol: string; host: string; search: string }) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

export function connect(options: ClientOptions = {}): Client {
  const bridge = typeof window !== 'undefined' ? window.orchestration : undefined;
  if (bridge) return createClient(createBridgeTransport(bridge), options);
  return createClient(createWebSocketTransport(webSocketUrlFor(window.location)), options);
}

/** The page's token (browser mode), e.g. for links that open a second window. */
export function pageToken(): string | null {
  return new URLSearchParams(window.location.search).get('token');
}
