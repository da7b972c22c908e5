/**
 * The renderer's only door to the engine. See src-shared/contract.ts for the methods.
 *
 *   const client = connect();                        // IPC bridge in Electron, else WebSocket
 *   const sessions = await client.sessions.list();   // typed from the contract
 *   await client.call('bus.publish', { type: 'COMMAND', sender, receiver });
 *   client.onEvents((events, lastSeq) => …);         // batched, resumed after reconnects
 *   client.onStatus((s) => …);                       // 'connecting' | 'open' | 'closed'
 *   // failures reject with OrchestrationError (error.code, error.details)
 *
 * client.ts and ws-transport.ts use no DOM APIs, so Node code (the SDK's remote mode) can use
 * them with `ws`: createClient(createWebSocketTransport(url, { WebSocketImpl: WebSocket })).
 */
export { connect, pageToken, webSocketUrlFor } from './connect';
export {
  createClient,
  type Client,
  type ClientOptions,
  type ConnectionStatus,
  type EventsListener,
  type ParamsArgs,
} from './client';
export { createWebSocketTransport, type WebSocketTransportOptions } from './ws-transport';
export { createBridgeTransport } from './bridge-transport';
export type {
  MethodName,
  ParamsOf,
  ResultOf,
  EngineInfo,
  EventPage,
  Role,
} from '../../../src-shared/contract';
export { isOrchestrationError, OrchestrationError } from '../../../src-shared/errors';
