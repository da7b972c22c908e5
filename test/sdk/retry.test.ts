/**
 * RATE_LIMITED and when to come back, against a real server on 127.0.0.1 with a tiny limit:
 * the SDK waits the server's retryAfterMs and sends the call again (bounded, configurable, off
 * switch), so nothing is lost; plain HTTP gets a Retry-After header.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src-main/server';
import { OrchestrationClient } from '../../sdk/src';
import { retryDelay, retryPolicy } from '../../sdk/src/retry';
import { OrchestrationError } from '../../src-shared/errors';
import { tempDir } from '../helpers/temp-engine';

let server: RunningServer;
let dir: string;
const TOKEN = 'retry-test-token-123';
// 6 publishes per 600 ms: one refill every 100 ms.
const LIMITS = { bus: 6, database: 1_000, worker: 100, windowMs: 600 };

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({
    port: 0,
    databasePath: join(dir, 'orchestration.db'),
    token: TOKEN,
    rateLimits: LIMITS,
    limitStartupToken: true, // the printed token is otherwise exempt
  });
  await server.engine.sessions.create({ type: 'director', name: 'boss' });
  await server.engine.sessions.create({ type: 'department', name: 'worker' });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const message = (n: number) => ({
  type: 'COMMAND' as const,
  sender: 'boss',
  receiver: 'worker',
  content: { n },
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );
const stored = async (tag: string) =>
  (await server.engine.bus.list({ receiver: 'worker', limit: 10_000 })).filter((m) =>
    (m.content as { n: string }).n.startsWith(tag),
  ).length;

describe('retry policy', () => {
  it('waits what the server asked for, bounded; other errors are not retried', () => {
    const limited = new OrchestrationError('RATE_LIMITED', 'slow down', {
      details: { retryAfterMs: 200 },
    });
    const policy = retryPolicy(undefined);
    expect(policy).toEqual({ maxRetries: 3, maxWaitMs: 30_000 });
    const wait = retryDelay(limited, 0, policy)!;
    expect(wait).toBeGreaterThanOrEqual(200);
    expect(wait).toBeLessThanOrEqual(250);
    expect(retryDelay(limited, 3, policy)).toBeUndefined();
    expect(retryDelay(limited, 0, retryPolicy({ maxWaitMs: 100 }))).toBeUndefined();
    expect(retryDelay(limited, 0, retryPolicy(false))).toBeUndefined();
    expect(retryDelay(new OrchestrationError('QUEUE_FULL', 'full'), 0, policy)).toBeUndefined();
  });
});

describe('remote client over its limit', () => {
  it('retries by itself: a loop publishing past its limit loses nothing', async () => {
    const client = new OrchestrationClient({ url: server.url });
    try {
      for (let i = 0; i < 20; i++) {
        await client.messageBus.publish({ ...message(i), content: { n: `loop-${i}` } });
      }
      expect(await stored('loop-')).toBe(20);
      // The server did refuse some, and said so in its audit log.
      const refusals = await server.engine.audit.list({ outcome: 'RATE_LIMITED', limit: 100 });
      expect(refusals.some((r) => r.method === 'bus.publish')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a concurrent burst is all accepted given retries enough', async () => {
    const client = new OrchestrationClient({
      url: server.url,
      retryOnRateLimit: { maxRetries: 50 },
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          codeOf(client.messageBus.publish({ ...message(i), content: { n: `burst-${i}` } })),
        ),
      );
      expect(results).toEqual(Array(20).fill('ok'));
      expect(await stored('burst-')).toBe(20);
    } finally {
      await client.close();
    }
  });

  it('with retryOnRateLimit: false the caller gets RATE_LIMITED with retryAfterMs', async () => {
    await new Promise((r) => setTimeout(r, LIMITS.windowMs)); // a full bucket
    const client = new OrchestrationClient({ url: server.url, retryOnRateLimit: false });
    try {
      const settled = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          client.messageBus.publish({ ...message(i), content: { n: `off-${i}` } }),
        ),
      );
      const refused = settled.filter((s) => s.status === 'rejected');
      expect(refused.length).toBeGreaterThanOrEqual(4);
      const error = (refused[0] as PromiseRejectedResult).reason as OrchestrationError;
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.details.retryAfterMs).toBeGreaterThan(0);
      // Refused calls stored nothing; accepted ones are all there.
      expect(await stored('off-')).toBe(settled.length - refused.length);
    } finally {
      await client.close();
    }
  });

  it('gives up after maxRetries', async () => {
    await new Promise((r) => setTimeout(r, LIMITS.windowMs));
    const client = new OrchestrationClient({
      url: server.url,
      retryOnRateLimit: { maxRetries: 1 },
    });
    try {
      const codes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          codeOf(client.messageBus.publish({ ...message(i), content: { n: `max-${i}` } })),
        ),
      );
      expect(codes).toContain('RATE_LIMITED');
      expect(await stored('max-')).toBe(codes.filter((c) => c === 'ok').length);
    } finally {
      await client.close();
    }
  });
});

describe('HTTP', () => {
  it('answers 429 with a Retry-After header and retryAfterMs in the body', async () => {
    await new Promise((r) => setTimeout(r, LIMITS.windowMs));
    const post = (n: number) =>
      fetch(new URL('/api/rpc', server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          method: 'bus.publish',
          params: { ...message(n), content: { n: `http-${n}` } },
        }),
      });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i)));
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of responses.filter((x) => x.status === 200)) {
      expect(r.headers.get('retry-after')).toBeNull();
    }
    const body = (await limited[0]!.json()) as {
      error: { code: string; details: { retryAfterMs: number } };
    };
    expect(body.error.code).toBe('RATE_LIMITED');
    const header = Number(limited[0]!.headers.get('retry-after'));
    expect(header).toBe(Math.max(1, Math.ceil(body.error.details.retryAfterMs / 1000)));
  });
});
