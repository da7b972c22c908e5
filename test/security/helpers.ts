/** A real server over a temp engine with stored tokens of every role, and a raw-frame WebSocket client. */
import WebSocket from 'ws';
import type { Role } from '../../src-shared/contract';
import type { ServerFrame } from '../../src-shared/protocol';
import { createMemoryPair, serve } from '../../src-main/rpc';
import type { ServeOptions } from '../../src-main/rpc/serve';
import type { Engine, SecurityOptions } from '../../src-main/engine';
import { startServer, type RunningServer, type ServerOptions } from '../../src-main/server';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { createEngine } from '../../src-main/engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROLES_ALL: Role[] = ['admin', 'developer', 'observer'];

export interface SecurityRig {
  engine: Engine;
  server: RunningServer;
  databasePath: string;
  dir: string;
  /** A stored token per role. */
  tokens: Record<Role, { id: string; token: string }>;
  cleanup(): Promise<void>;
}

export async function securityRig(
  options: Partial<ServerOptions> = {},
  security?: SecurityOptions,
): Promise<SecurityRig> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-sec-'));
  const databasePath = join(dir, 'orchestration.db');
  const engine = await createEngine({ databasePath, security });
  const server = await startServer({
    engine,
    databasePath,
    token: 'startup-token-123',
    ...options,
  });
  const tokens = {} as SecurityRig['tokens'];
  for (const role of ROLES_ALL) {
    const t = await engine.tokens.create({ role, label: `${role} test` });
    tokens[role] = { id: t.id, token: t.token };
  }
  return {
    engine,
    server,
    databasePath,
    dir,
    tokens,
    async cleanup() {
      await server.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw WebSocket that sends frames and matches responses by id. */
export interface FrameClient {
  ws: WebSocket;
  /** Frames with id null (connection-level refusals, hostile frames). */
  orphans: ServerFrame[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  call(method: string, params?: unknown): Promise<ServerFrame>;
  sendRaw(raw: string | Buffer): void;
  /** Resolves when `n` frames have arrived in total. */
  received(n: number): Promise<void>;
  close(): void;
}

export function frameClient(
  port: number,
  token: string | undefined,
  headers: Record<string, string> = {},
): FrameClient {
  const url = `ws://127.0.0.1:${port}/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  const ws = new WebSocket(url, { headers });
  const pending = new Map<number | string, (f: ServerFrame) => void>();
  const orphans: ServerFrame[] = [];
  let count = 0;
  const countWaiters: Array<[number, () => void]> = [];
  let nextId = 1;
  ws.on('message', (data) => {
    count++;
    const frame = JSON.parse(String(data)) as ServerFrame;
    if (frame.type === 'response' && frame.id !== null && pending.has(frame.id)) {
      const resolve = pending.get(frame.id)!;
      pending.delete(frame.id);
      resolve(frame);
    } else orphans.push(frame);
    for (let i = countWaiters.length - 1; i >= 0; i--) {
      if (count >= countWaiters[i]![0]) countWaiters.splice(i, 1)[0]![1]();
    }
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  return {
    ws,
    orphans,
    closed,
    opened,
    call(method, params) {
      const id = nextId++;
      return new Promise<ServerFrame>((resolve) => {
        pending.set(id, resolve);
        const send = () => ws.send(JSON.stringify({ type: 'request', id, method, params }));
        if (ws.readyState === ws.CONNECTING) void opened.then(send, () => {});
        else send();
      });
    },
    sendRaw: (raw) => ws.send(raw),
    received: (n) =>
      count >= n ? Promise.resolve() : new Promise((r) => countWaiters.push([n, r])),
    close: () => ws.close(),
  };
}

export const codeOfFrame = (f: ServerFrame): string | undefined =>
  f.type === 'response' && 'error' in f ? f.error.code : undefined;

export const resultOf = (f: ServerFrame): unknown =>
  f.type === 'response' && 'result' in f ? f.result : undefined;

/** An in-process connection (memory transport) with a given role; raw request frames. */
export function memoryClient(
  engine: Engine,
  options: Partial<ServeOptions> & { role: Role },
): { call(method: string, params?: unknown): Promise<ServerFrame>; close(): void } {
  const pair = createMemoryPair();
  serve(engine, pair.server, { databasePath: '', ...options });
  const pending = new Map<number, (f: ServerFrame) => void>();
  let nextId = 1;
  pair.client.onFrame((raw) => {
    const frame = JSON.parse(String(raw)) as ServerFrame;
    if (frame.type === 'response' && typeof frame.id === 'number') {
      pending.get(frame.id)?.(frame);
      pending.delete(frame.id);
    }
  });
  return {
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        pair.sendRaw(JSON.stringify({ type: 'request', id, method, params }));
      });
    },
    close: () => pair.client.close(),
  };
}

export type { TempEngine };
export { tempEngine };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
