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
import type { Role } from '../src-shared/contract';
import { OrchestrationError, toOrchestrationError } from '../src-shared/errors';
import { createEngine, type Engine, type EngineOptions } from './engine';
import { RateLimiter, type RateLimits } from './engine/security';
import {
  generateToken,
  singleTokenAuthenticator,
  tokenTableMatcher,
  type Authenticator,
  type Principal,
} from './rpc/auth';
import { handleApiCall, sendError } from './rpc/http/api';
import { checkRequest, tokenOf, type HostPolicy } from './rpc/http/guard';
import { serveStatic } from './rpc/http/static';
import { serve, type Connection } from './rpc/serve';
import type { ServedEngine } from './rpc/services';
import { attachWebSocketGateway } from './rpc/transports/ws-server';

/** How soon a connection notices that another process revoked its token. */
const REVOCATION_SWEEP_MS = 2_000;

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
  /** Open WebSocket connections one token may hold (default 32); more are refused (RATE_LIMITED). */
  maxConnectionsPerToken?: number;
  /** Per-client rate limits for this server (default: the engine's, i.e. SPEC.md's per minute). */
  rateLimits?: Partial<RateLimits>;
  /** Rate-limit the printed startup token too (default: the engine's setting, false). */
  limitStartupToken?: boolean;
  /** Session/workflow workspaces must stay inside this directory (default: the engine's). */
  workspaceRoot?: string;
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
  const startupAuth = singleTokenAuthenticator(token);
  const startupMatch = tokenTableMatcher({ [token]: 'admin' });
  const startupTokenId = startupMatch(token)!.tokenId;
  // The printed token (admin), else a stored one (engine.tokens: hashed, expiring, revocable).
  // Matched, not tried and caught: an error per stored-token HTTP request cost more than the check.
  const authenticate: Authenticator =
    options.authenticate ??
    (async (presented) => {
      if (presented === undefined || presented === '') return startupAuth(presented);
      return startupMatch(presented) ?? engine.tokens.authenticate(presented);
    });
  const audit = engine.security.audit;
  const limiter = options.rateLimits
    ? new RateLimiter(options.rateLimits)
    : engine.security.limiter;
  const limitStartup = options.limitStartupToken ?? engine.security.limitStartupToken;
  const workspaceRoot = options.workspaceRoot ?? engine.security.workspaceRoot;
  const maxPerToken = options.maxConnectionsPerToken ?? 32;
  const clientOf = (req: IncomingMessage) => req.socket.remoteAddress ?? null;
  /** Authenticates, auditing a refusal (who: the token id when the token was known). */
  const authenticateFor = async (
    transport: string,
    presented: string | undefined,
    client: string | null,
  ): Promise<Principal> => {
    try {
      return await authenticate(presented);
    } catch (error) {
      const e = toOrchestrationError(error);
      const tokenId = typeof e.details.tokenId === 'string' ? e.details.tokenId : null;
      const reason = typeof e.details.reason === 'string' ? e.details.reason : null;
      audit.record({
        tokenId,
        role: null,
        transport,
        method: 'connect',
        outcome: e.code,
        detail: reason,
        client,
      });
      throw error;
    }
  };
  /** Open WebSocket transports by token id, to close them when their token is revoked. */
  const byToken = new Map<string, Set<{ close(): void }>>();
  const closeTokenConnections = (id: string) => {
    for (const t of byToken.get(id) ?? []) t.close();
  };
  const stopRevokeListener = engine.tokens.onRevoke(closeTokenConnections);
  // A token revoked by another process (the CLI's `token revoke` on the same database) reaches no
  // listener here: open connections are checked against the stored tokens every few seconds.
  const revocationSweep = setInterval(() => {
    if (byToken.size === 0) return;
    void engine.tokens.list().then(
      (tokens) => {
        for (const t of tokens) {
          if (t.revokedAt === null) continue;
          engine.tokens.forget(t.id); // authenticated within the last 2 s: not any more
          closeTokenConnections(t.id);
        }
      },
      () => undefined,
    );
  }, REVOCATION_SWEEP_MS);
  revocationSweep.unref();
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const served: ServedEngine = engine;
  const connections = new Set<Connection>();
  let policy: HostPolicy = { port: 0, bindHost: host, extraHosts: options.extraHosts };
  const serveOptions = (principal: Principal, transport: string, client: string | null) => ({
    role: principal.role as Role,
    databasePath,
    onInternalError: options.onInternalError,
    tokenId: principal.tokenId,
    transport,
    client: client ?? undefined,
    expiresAt: principal.expiresAt ?? null,
    security: {
      audit,
      workspaceRoot,
      limiter: principal.tokenId === startupTokenId && !limitStartup ? undefined : limiter,
    },
  });

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const guard = checkRequest(req, policy);
    if (!guard.ok) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith('/api')) auditRefusedRequest('http', req, guard.reason);
      res.writeHead(guard.status, { 'content-type': 'text/plain' }).end(`${guard.reason}\n`);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      try {
        const principal = await authenticateFor('http', tokenOf(req), clientOf(req));
        if (path !== '/api/rpc') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Unknown API path\n');
          return;
        }
        await handleApiCall(served, serveOptions(principal, 'http', clientOf(req)), req, res);
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
  const auditRefusedRequest = (transport: string, req: IncomingMessage, reason: string) =>
    audit.record({
      tokenId: null,
      role: null,
      transport,
      method: 'connect',
      outcome: 'FORBIDDEN',
      detail: `${reason} (origin ${req.headers.origin ?? '-'}, host ${req.headers.host ?? '-'})`,
      client: clientOf(req),
    });
  // Runs before the gateway's own listener: records the upgrades it will refuse for Host/Origin.
  http.on('upgrade', (req: IncomingMessage) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/ws') return;
    const guard = checkRequest(req, policy);
    if (!guard.ok) auditRefusedRequest('websocket', req, guard.reason);
  });
  const gateway = attachWebSocketGateway(http, {
    path: '/ws',
    policy: () => policy,
    authenticate: (presented) => authenticateFor('websocket', presented, null),
    maxConnections: options.maxConnections,
    onConnection(transport, principal, req) {
      const open = byToken.get(principal.tokenId) ?? new Set();
      if (open.size >= maxPerToken) {
        const refusal = new OrchestrationError(
          'RATE_LIMITED',
          `More than ${maxPerToken} open connections for this token.`,
          { details: { retryAfterMs: 1_000, maxConnectionsPerToken: maxPerToken } },
        );
        audit.record({
          tokenId: principal.tokenId,
          role: principal.role,
          transport: 'websocket',
          method: 'connect',
          outcome: 'RATE_LIMITED',
          detail: `maxConnectionsPerToken=${maxPerToken}`,
          client: clientOf(req),
        });
        transport.send({ type: 'response', id: null, error: refusal.toJSON() });
        transport.close();
        return;
      }
      byToken.set(principal.tokenId, open.add(transport));
      const connection = serve(
        served,
        transport,
        serveOptions(principal, 'websocket', clientOf(req)),
      );
      connections.add(connection);
      transport.onClose(() => {
        connections.delete(connection);
        open.delete(transport);
        if (open.size === 0 && byToken.get(principal.tokenId) === open) {
          byToken.delete(principal.tokenId);
        }
      });
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
        stopRevokeListener();
        clearInterval(revocationSweep);
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
