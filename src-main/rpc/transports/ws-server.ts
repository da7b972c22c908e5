/**
 * WebSocket transport (server side), on the `ws` package. The gateway owns the upgrade: it
 * refuses a foreign Host/Origin or too many connections before any WebSocket exists, and it
 * refuses a missing or wrong token with an error frame and a policy close, so a client learns
 * the code (AUTH_REQUIRED / INVALID_TOKEN) instead of a bare failed handshake.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { toOrchestrationError } from '../../../src-shared/errors';
import {
  MAX_FRAME_BYTES,
  WS_POLICY_CLOSE,
  type ServerFrame,
  type ServerTransport,
} from '../../../src-shared/protocol';
import type { Authenticator, Principal } from '../auth';
import { checkRequest, tokenOf, type HostPolicy } from '../http/guard';

/** Above this much unsent data the client is too slow; it is closed and resumes on reconnect. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
const TRY_AGAIN_LATER = 1013;
const PING_INTERVAL_MS = 30_000;

export function webSocketTransport(socket: WebSocket): ServerTransport {
  return {
    send(frame: ServerFrame) {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(TRY_AGAIN_LATER, 'client too slow');
        return;
      }
      socket.send(JSON.stringify(frame));
    },
    onFrame(listener) {
      // Binary frames are handed on as bytes so the decoder answers INVALID_FORMAT.
      socket.on('message', (data: RawData, isBinary: boolean) =>
        listener(isBinary ? new Uint8Array(toBuffer(data)) : toBuffer(data).toString('utf8')),
      );
    },
    onClose: (listener) => void socket.on('close', listener),
    close: () => socket.close(1000),
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export interface GatewayOptions {
  path: string;
  policy: () => HostPolicy;
  authenticate: Authenticator;
  maxConnections?: number;
  onConnection(transport: ServerTransport, principal: Principal, req: IncomingMessage): void;
}

export interface Gateway {
  readonly connections: number;
  close(): Promise<void>;
}

export function attachWebSocketGateway(server: Server, options: GatewayOptions): Gateway {
  // Frames between MAX_FRAME_BYTES and this hard cap get an INVALID_FORMAT answer; beyond it
  // ws closes with 1009 without buffering the whole thing.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES * 4 });
  const maxConnections = options.maxConnections ?? 256;

  const refuse = (socket: Duplex, status: number, reason: string, extra = '') => {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`,
    );
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== options.path) return refuse(socket, 404, 'Not Found');
    const guard = checkRequest(req, options.policy());
    if (!guard.ok) return refuse(socket, guard.status, guard.reason);
    if (wss.clients.size >= maxConnections) {
      return refuse(socket, 503, 'Too Many Connections', 'Retry-After: 1\r\n');
    }
    // Authenticate before the upgrade, so the message listener is attached synchronously in
    // the upgrade callback and no frame a fast client sends right after opening is lost.
    void (async () => {
      let principal: Principal | undefined;
      let refusal: ReturnType<typeof toOrchestrationError> | undefined;
      try {
        principal = await options.authenticate(tokenOf(req));
      } catch (error) {
        refusal = toOrchestrationError(error);
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Protocol errors (oversized frame, bad opcode) close the socket; ws reports them here too.
        ws.on('error', () => {});
        if (!principal) {
          ws.send(JSON.stringify({ type: 'response', id: null, error: refusal!.toJSON() }));
          ws.close(WS_POLICY_CLOSE, refusal!.code);
          return;
        }
        keepAlive(ws);
        options.onConnection(webSocketTransport(ws), principal, req);
      });
    })();
  });

  return {
    get connections() {
      return wss.clients.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        wss.close(() => resolve());
      }),
  };
}

/** Pings idle sockets so half-open connections (a laptop lid closed) are noticed and freed. */
function keepAlive(ws: WebSocket): void {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, PING_INTERVAL_MS);
  timer.unref();
  ws.on('close', () => clearInterval(timer));
}
