/**
 * Rate limits per client (token id): a tiny limit and a short window, hit and recovered;
 * RATE_LIMITED carries retryAfterMs; a refused publish stores nothing (nothing dropped: the
 * caller knows it was not accepted); every refusal is audited; one client's limit does not
 * touch another's; every contract method draws from a bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, contract } from '../../src-shared/contract';
import { RateLimiter, bucketOf, costOf } from '../../src-main/engine/security';
import { codeOfFrame, frameClient, securityRig, sleep, type SecurityRig } from './helpers';

describe('RateLimiter', () => {
  it('is a token bucket: burst up to the limit, then limit per window', () => {
    let now = 0;
    const limiter = new RateLimiter({ bus: 3, database: 2, worker: 1, windowMs: 1_000 }, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('a', 'bus').ok).toBe(true);
    const refused = limiter.take('a', 'bus');
    expect(refused).toEqual({ ok: false, retryAfterMs: 334, limit: 3 });
    expect(limiter.take('b', 'bus').ok).toBe(true); // per client
    expect(limiter.take('a', 'database').ok).toBe(true); // per bucket
    now += 334;
    expect(limiter.take('a', 'bus').ok).toBe(true);
    expect(limiter.take('a', 'bus').ok).toBe(false);
    // A batch costs one per message; one larger than the limit still passes on a full bucket.
    now += 10_000;
    expect(limiter.take('a', 'bus', 50).ok).toBe(true);
    expect(limiter.take('a', 'bus', 1).ok).toBe(false);
    expect(() => limiter.consume('a', 'bus')).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED' }),
    );
  });

  it('classifies every contract method', () => {
    for (const m of METHOD_NAMES) expect(['bus', 'database', 'worker']).toContain(bucketOf(m));
    const bus = METHOD_NAMES.filter((m) => bucketOf(m) === 'bus');
    expect(bus).toEqual(expect.arrayContaining(['bus.publish', 'bus.publishBatch', 'runs.answer']));
    expect(bus.every((m) => contract[m].permission !== 'read')).toBe(true);
    expect(bucketOf('runs.start')).toBe('worker');
    expect(bucketOf('sessions.list')).toBe('database');
    expect(costOf('bus.publishBatch', { messages: [1, 2, 3] })).toBe(3);
  });
});

describe('rate limits over WebSocket', () => {
  let rig: SecurityRig;

  beforeAll(async () => {
    // A refill every 600 ms: seven round trips fit in it even on a loaded machine.
    rig = await securityRig({ rateLimits: { bus: 5, database: 5, worker: 2, windowMs: 3_000 } });
    await rig.engine.sessions.create({ type: 'director', name: 'rl-director' });
    await rig.engine.sessions.create({ type: 'department', name: 'rl-dept' });
  });
  afterAll(() => rig.cleanup());

  it('refuses the call past the limit with RATE_LIMITED + retryAfterMs, stores nothing, recovers', async () => {
    const dev = frameClient(rig.server.port, rig.tokens.developer.token);
    const publish = (n: number) =>
      dev.call('bus.publish', {
        id: `rl-${n}`,
        type: 'COMMAND',
        sender: 'rl-director',
        receiver: 'rl-dept',
        content: { n },
      });
    const frames = [];
    for (let i = 0; i < 7; i++) frames.push(await publish(i));
    expect(frames.slice(0, 5).every((f) => codeOfFrame(f) === undefined)).toBe(true);
    const refused = frames[5]!;
    expect(codeOfFrame(refused)).toBe('RATE_LIMITED');
    const details = (
      refused as unknown as { error: { details: { retryAfterMs: number; bucket: string } } }
    ).error.details;
    expect(details.bucket).toBe('bus');
    expect(details.retryAfterMs).toBeGreaterThan(0);
    expect(details.retryAfterMs).toBeLessThanOrEqual(600);
    expect(codeOfFrame(frames[6]!)).toBe('RATE_LIMITED');
    // Refused before any effect: the message does not exist.
    expect(await rig.engine.bus.get('rl-5')).toBeUndefined();
    expect(await rig.engine.bus.get('rl-4')).toBeDefined();
    // Another client is not affected.
    const admin = frameClient(rig.server.port, rig.tokens.admin.token);
    expect(
      codeOfFrame(await admin.call('bus.publish', { type: 'HEARTBEAT', sender: 'rl-director' })),
    ).toBeUndefined();
    // Wait as told, then the same call succeeds.
    await sleep(details.retryAfterMs + 5);
    expect(codeOfFrame(await publish(5))).toBeUndefined();
    expect(await rig.engine.bus.get('rl-5')).toBeDefined();
    // Audited: who, what, and the retry-after.
    const rows = await rig.engine.audit.list({ outcome: 'RATE_LIMITED', limit: 10 });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]).toMatchObject({
      tokenId: rig.tokens.developer.id,
      role: 'developer',
      transport: 'websocket',
      method: 'bus.publish',
      detail: expect.stringMatching(/^retryAfterMs=\d+$/),
    });
    const ok = await rig.engine.audit.list({ method: 'bus.publish', outcome: 'ok', limit: 100 });
    expect(ok.filter((r) => r.tokenId === rig.tokens.developer.id)).toHaveLength(6);
    dev.close();
    admin.close();
  });

  it('a batch larger than what is left is refused whole (all or nothing)', async () => {
    // A token of its own: a full bucket, whatever the test before left in the developer's.
    const fresh = await rig.engine.tokens.create({ role: 'developer', label: 'batch' });
    const dev = frameClient(rig.server.port, fresh.token);
    const messages = (p: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `${p}-${i}`,
        type: 'HEARTBEAT',
        sender: 'rl-director',
      }));
    expect(
      codeOfFrame(await dev.call('bus.publishBatch', { messages: messages('b1', 4) })),
    ).toBeUndefined();
    expect(codeOfFrame(await dev.call('bus.publishBatch', { messages: messages('b2', 3) }))).toBe(
      'RATE_LIMITED',
    );
    for (let i = 0; i < 3; i++) expect(await rig.engine.bus.get(`b2-${i}`)).toBeUndefined();
    dev.close();
  });

  it('database and worker buckets are separate; reads count as database ops', async () => {
    const obs = frameClient(rig.server.port, rig.tokens.observer.token);
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(codeOfFrame(await obs.call('sessions.list', {})));
    expect(codes.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(codes[5]).toBe('RATE_LIMITED');
    obs.close();
  });

  it('the printed startup token (the local operator) is not limited by default', async () => {
    const op = frameClient(rig.server.port, 'startup-token-123');
    for (let i = 0; i < 20; i++)
      expect(codeOfFrame(await op.call('sessions.list', {}))).toBeUndefined();
    op.close();
  });
});
