/**
 * Puts a real engine (temp SQLite file) behind the bridge, over the in-memory transport or a
 * real WebSocket on 127.0.0.1, and hands back a typed client. Both transport suites run the
 * same contract tests through this.
 */
import WebSocket from 'ws';
import { createMemoryPair, serve } from '../../src-main/rpc';
import { tokenTableAuthenticator } from '../../src-main/rpc/auth';
import { createIpcMainTransport } from '../../src-main/rpc/transports/ipc-main';
import { createBridge } from '../../src-preload/bridge';
import { APP_URL, createFakeIpc } from './fake-ipc';
import { startServer, type RunningServer } from '../../src-main/server';
import type { Role } from '../../src-shared/contract';
import {
  createBridgeTransport,
  createClient,
  createWebSocketTransport,
  type Client,
  type ClientOptions,
} from '../../src-renderer/src/rpc';
import type { WebSocketConstructor } from '../../src-renderer/src/rpc/ws-transport';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

export type TransportKind = 'memory' | 'websocket' | 'ipc';

export interface Rig {
  kind: TransportKind;
  temp: TempEngine;
  client: Client;
  /** Another client on the same engine (new connection), with its own role/options. */
  connect(options?: ClientOptions & { role?: Role }): Promise<Client>;
  server?: RunningServer;
  cleanup(): Promise<void>;
}

export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

export async function createRig(kind: TransportKind, role: Role = 'admin'): Promise<Rig> {
  const temp = await tempEngine();
  const clients: Client[] = [];
  let server: RunningServer | undefined;
  if (kind === 'websocket') {
    const tokens: Record<string, Role> = {
      'admin-token-123': 'admin',
      'developer-token-123': 'developer',
      'observer-token-123': 'observer',
    };
    server = await startServer({
      engine: temp.engine,
      databasePath: temp.databasePath,
      authenticate: tokenTableAuthenticator(tokens),
      token: 'admin-token-123',
    });
  }
  const connect = async (options: ClientOptions & { role?: Role } = {}) => {
    const r = options.role ?? role;
    let client: Client;
    if (kind === 'ipc') {
      const ipc = createFakeIpc();
      const transport = createIpcMainTransport(ipc.ipcMain, ipc.contents, {
        isTrustedUrl: (url) => url === APP_URL,
      });
      serve(temp.engine, transport, { role: r, databasePath: temp.databasePath });
      client = createClient(createBridgeTransport(createBridge(ipc.renderer)), options);
    } else if (kind === 'memory') {
      const pair = createMemoryPair();
      serve(temp.engine, pair.server, {
        role: r,
        databasePath: temp.databasePath,
      });
      client = createClient(pair.client, options);
    } else {
      const url = `ws://127.0.0.1:${server!.port}/ws?token=${r}-token-123`;
      client = createClient(
        createWebSocketTransport(url, { WebSocketImpl: NodeWebSocket, minDelayMs: 20 }),
        options,
      );
    }
    clients.push(client);
    return client;
  };
  const client = await connect();
  return {
    kind,
    temp,
    client,
    connect,
    server,
    async cleanup() {
      for (const c of clients) c.close();
      await server?.close();
      await temp.cleanup();
    },
  };
}
