/** A real server on 127.0.0.1 (random port) over a temp engine, plus raw HTTP/WS helpers. */
import { request } from 'node:http';
import WebSocket from 'ws';
import { startServer, type RunningServer, type ServerOptions } from '../../src-main/server';
import type { ServerFrame } from '../../src-shared/protocol';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

export interface ServerRig {
  temp: TempEngine;
  server: RunningServer;
  cleanup(): Promise<void>;
}

export async function serverRig(options: Partial<ServerOptions> = {}): Promise<ServerRig> {
  const temp = await tempEngine();
  const server = await startServer({
    engine: temp.engine,
    databasePath: temp.databasePath,
    token: 'test-token-123',
    ...options,
  });
  return {
    temp,
    server,
    async cleanup() {
      await server.close();
      await temp.cleanup();
    },
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so tests can send any Host/Origin header. */
export function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const rpcBody = (method: string, params?: unknown) => JSON.stringify({ method, params });

export interface RawSocket {
  ws: WebSocket;
  frames: ServerFrame[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the next frame (waits if none yet). */
  next(): Promise<ServerFrame>;
  /** Resolves when the upgrade fails, with the HTTP status. */
  refused: Promise<number>;
}

export function rawSocket(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): RawSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
  const frames: ServerFrame[] = [];
  const waiters: Array<(f: ServerFrame) => void> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const refused = new Promise<number>((resolve) =>
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    }),
  );
  return {
    ws,
    frames,
    closed,
    refused,
    next: () =>
      frames.length > 0
        ? Promise.resolve(frames.shift()!)
        : new Promise<ServerFrame>((resolve) => waiters.push(resolve)),
  };
}

export const opened = (ws: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
