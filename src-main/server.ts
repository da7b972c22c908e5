/**
 * Browser mode: one HTTP server that serves the built renderer, the WebSocket bridge at `/ws`
 * and the same contract as `POST /api/rpc`. Bound to 127.0.0.1 by default; every API and
 * WebSocket request needs the token; every request needs a Host (and Origin, if any) that
 * belongs to this server. Static files need no token (the page carries it in its URL).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toOrchestrationError } from '../src-shared/errors';
import { createEngine, type Engine, type EngineOptions } from './engine';
import { generateToken, singleTokenAuthenticator, type Authenticator } from './rpc/auth';
import { handleApiCall, sendError } from './rpc/http/api';
import { checkRequest, tokenOf, type HostPolicy } from './rpc/http/guard';
import { serveStatic } from './rpc/http/static';
import { serve, type Connection } from './rpc/serve';
import type { ServedEngine } from './rpc/services';
import { attachWebSocketGateway } from './rpc/transports/ws-server';

export interface ServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Where the database lives when the server creates its own engine. */
  databasePath?: string;
  engineOptions?: Omit<EngineOptions, 'databasePath'>;
  /** An engine the caller already opened (tests, Electron); the server will not close it. */
  engine?: Engine;
  /** The one accepted token (admin); random when omitted. Ignored if `authenticate` is given. */
  token?: string;
  authenticate?: Authenticator;
  /** The built renderer; defaults to out/renderer next to the built main bundle or the repo. */
  rendererDir?: string;
  extraHosts?: string[];
  maxConnections?: number;
  onInternalError?: (error: unknown, method: string | undefined) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  token: string;
  engine: Engine;
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATABASE = 'orchestration.db';

/** out/renderer: from the bundle (out/main/*.js) it is ../renderer; from src-main/ it is ../out/renderer. */
export function defaultRendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = basename(here) === 'main' && basename(dirname(here)) === 'out';
  return bundled ? resolve(here, '../renderer') : resolve(here, '../out/renderer');
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const databasePath = resolve(options.databasePath ?? DEFAULT_DATABASE);
  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? (await createEngine({ ...options.engineOptions, databasePath }));
  const token = options.token ?? generateToken();
  const authenticate = options.authenticate ?? singleTokenAuthenticator(token);
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const served: ServedEngine = engine;
  const connections = new Set<Connection>();
  let policy: HostPolicy = { port: 0, bindHost: host, extraHosts: options.extraHosts };
  const serveOptions = (role: 'admin' | 'developer' | 'observer') => ({
    role,
    databasePath,
    onInternalError: options.onInternalError,
  });

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const guard = checkRequest(req, policy);
    if (!guard.ok) {
      res.writeHead(guard.status, { 'content-type': 'text/plain' }).end(`${guard.reason}\n`);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      try {
        const principal = await authenticate(tokenOf(req));
        if (path !== '/api/rpc') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Unknown API path\n');
          return;
        }
        await handleApiCall(served, serveOptions(principal.role), req, res);
      } catch (error) {
        sendError(res, toOrchestrationError(error));
      }
      return;
    }
    serveStatic(rendererDir, req, res);
  };

  const http = createServer((req, res) => {
    onRequest(req, res).catch((error) => {
      if (!res.headersSent) sendError(res, toOrchestrationError(error));
      else res.destroy();
    });
  });
  const gateway = attachWebSocketGateway(http, {
    path: '/ws',
    policy: () => policy,
    authenticate,
    maxConnections: options.maxConnections,
    onConnection(transport, principal) {
      const connection = serve(served, transport, serveOptions(principal.role));
      connections.add(connection);
      transport.onClose(() => connections.delete(connection));
    },
  });

  try {
    await new Promise<void>((resolveListen, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => {
        http.off('error', reject);
        resolveListen();
      });
    });
  } catch (error) {
    if (ownsEngine) await engine.close();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  policy = { ...policy, port };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const shownHost = host === '0.0.0.0' || host === '::' ? DEFAULT_HOST : urlHost;
  const url = `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    token,
    engine,
    close() {
      closing ??= (async () => {
        for (const c of connections) c.close();
        await gateway.close();
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
        if (ownsEngine) await engine.close();
      })();
      return closing;
    },
  };
}
