import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrchestrationError } from '../../src-shared/errors';
import type { PublishInput } from '../../src-shared/schemas';
import type { Message } from '../../src-shared/types';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';

let t: TempEngine;
let director: string;
let dept: string;

async function setup(options: Parameters<typeof tempEngine>[0] = {}) {
  t = await tempEngine(options);
  director = (await t.engine.sessions.create({ type: 'director', name: 'director' })).id;
  dept = (await t.engine.sessions.create({ type: 'department', name: 'dept' })).id;
}
beforeEach(() => setup());
afterEach(async () => {
  await t.cleanup();
});

const cmd = (extra: Partial<PublishInput> = {}): PublishInput => ({
  type: 'COMMAND',
  sender: director,
  receiver: 'dept',
  content: {},
  ...extra,
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: OrchestrationError) => e.code,
  );

/** When the database says the message was dead-lettered (read through a second connection). */
function deadAt(id: string): number | null {
  const raw = new Database(t.databasePath, { readonly: true });
  try {
    return (
      raw.prepare('SELECT dead_at FROM messages WHERE id = ?').get(id) as { dead_at: number | null }
    ).dead_at;
  } finally {
    raw.close();
  }
}

describe('publish', () => {
  it('stores the message durably before resolving', async () => {
    const m = await t.engine.bus.publish(
      cmd({ content: { action: 'process_data' }, metadata: { tags: ['a'] } }),
    );
    expect(m).toMatchObject({
      type: 'COMMAND',
      sender: director,
      receiver: 'dept',
      receiverId: dept,
      state: 'pending',
    });
    await t.engine.close();
    const again = await t.reopen();
    expect(await again.bus.get(m.id)).toMatchObject({
      content: { action: 'process_data' },
      metadata: { tags: ['a'] },
    });
  });

  it('is idempotent for a caller-supplied id', async () => {
    const first = await t.engine.bus.publish(cmd({ id: 'job-1', content: { n: 1 } }));
    const second = await t.engine.bus.publish(cmd({ id: 'job-1', content: { n: 2 } }));
    expect(second.id).toBe(first.id);
    expect(second.content).toEqual({ n: 1 });
    expect((await t.engine.bus.stats()).published).toBe(1);
  });

  it('refuses bad input with a specific code and stores nothing', async () => {
    const small = await tempEngine({ bus: { maxContentBytes: 1024 } });
    const s = await small.engine.sessions.create({ type: 'director', name: 'd' });
    try {
      const bus = small.engine.bus;
      expect(await codeOf(bus.publish({ type: 'COMMAND', content: {} } as never))).toBe(
        'MISSING_FIELD',
      );
      expect(await codeOf(bus.publish({ type: 'SHOUT', sender: s.id } as never))).toBe(
        'INVALID_MESSAGE',
      );
      expect(
        await codeOf(bus.publish({ type: 'COMMAND', sender: s.id, priority: 'URGENT' } as never)),
      ).toBe('INVALID_INPUT');
      expect(
        await codeOf(bus.publish({ type: 'COMMAND', sender: s.id, content: 'x'.repeat(2000) })),
      ).toBe('INVALID_MESSAGE');
      expect(await codeOf(bus.publish({ type: 'COMMAND', sender: 'ghost' }))).toBe('INVALID_INPUT');
      expect(
        await codeOf(bus.publish({ type: 'COMMAND', sender: s.id, surprise: 1 } as never)),
      ).toBe('INVALID_INPUT');
      expect(
        await codeOf(bus.publish({ type: 'COMMAND', sender: s.id, content: { n: 10n } })),
      ).toBe('INVALID_FORMAT');
      expect(await codeOf(bus.publish({ type: 'CHECKPOINT_CREATE', sender: s.id }))).toBe(
        'INVALID_MESSAGE',
      );
      // a batch with one bad message writes none of them
      expect(
        await codeOf(
          bus.publishBatch([
            { type: 'COMMAND', sender: s.id },
            { type: 'COMMAND', sender: 'ghost' },
          ]),
        ),
      ).toBe('INVALID_INPUT');
      expect((await bus.stats()).published).toBe(0);
      const error = (await bus
        .publish({ type: 'COMMAND', sender: 'ghost' })
        .catch((e) => e)) as OrchestrationError;
      expect(error.message).toMatch(/sender "ghost" is not a session/);
      expect(error.details).toMatchObject({ field: 'sender', value: 'ghost' });
    } finally {
      await small.cleanup();
    }
  });

  it('refuses a type that does not fit the direction', async () => {
    expect(
      await codeOf(
        t.engine.bus.publish({ type: 'STATUS_UPDATE', sender: director, receiver: 'dept' }),
      ),
    ).toBe('INVALID_MESSAGE');
    expect(
      await codeOf(t.engine.bus.publish({ type: 'COMMAND', sender: dept, receiver: 'director' })),
    ).toBe('INVALID_MESSAGE');
    const ok = await t.engine.bus.publish({
      type: 'STATUS_UPDATE',
      sender: dept,
      receiver: 'director',
    });
    expect(ok.receiverId).toBe(director);
  });

  it('keeps mail for a receiver that does not exist yet, visibly, until it appears', async () => {
    const m = await t.engine.bus.publish(cmd({ receiver: 'department-1' }));
    expect((await t.engine.bus.mailbox('department-1')).map((x) => x.id)).toEqual([m.id]);
    const later = await t.engine.sessions.create({ type: 'department', name: 'department-1' });
    expect((await t.engine.bus.mailbox(later.id)).map((x) => x.id)).toEqual([m.id]);
    // Mail addressed by id shows under the name too, and the other way round.
    const byId = await t.engine.bus.publish(cmd({ receiver: later.id }));
    expect((await t.engine.bus.mailbox('department-1')).map((x) => x.id)).toEqual([m.id, byId.id]);
    expect((await t.engine.bus.mailbox(later.id)).map((x) => x.id)).toEqual([m.id, byId.id]);
    const got: Message[] = [];
    t.engine.bus.subscribe({ receivers: [later.id] }, (x) => void got.push(x));
    await waitFor(() => got.length === 2, 'delivery to the late session');
    expect(got[0]!.receiverId).toBe(later.id);
  });

  it('answers QUEUE_FULL when the queue is full and drops nothing already accepted', async () => {
    await t.cleanup();
    await setup({ bus: { maxQueueSize: 10 } });
    await t.engine.bus.publishBatch(Array.from({ length: 8 }, () => cmd()));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => t.engine.bus.publish(cmd())),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(2);
    expect(refused.length).toBe(3);
    expect(((refused[0] as PromiseRejectedResult).reason as OrchestrationError).code).toBe(
      'QUEUE_FULL',
    );
    expect((await t.engine.bus.stats()).queueSize).toBe(10);
    expect((await t.engine.bus.health()).status).toBe('unhealthy');
  });

  it('reports health by queue fill', async () => {
    await t.cleanup();
    await setup({ bus: { maxQueueSize: 100 } });
    expect((await t.engine.bus.health()).status).toBe('healthy');
    await t.engine.bus.publishBatch(Array.from({ length: 70 }, () => cmd()));
    expect((await t.engine.bus.health()).status).toBe('degraded');
    await t.engine.bus.publishBatch(Array.from({ length: 21 }, () => cmd()));
    expect((await t.engine.bus.health()).status).toBe('unhealthy');
  });
});

describe('delivery', () => {
  it('delivers by priority, then FIFO within a priority', async () => {
    const order = ['LOW', 'NORMAL', 'CRITICAL', 'LOW', 'HIGH', 'CRITICAL', 'NORMAL'] as const;
    const sent = [];
    for (const [i, priority] of order.entries())
      sent.push(await t.engine.bus.publish(cmd({ priority, content: { i } })));
    const got: number[] = [];
    t.engine.bus.subscribe(
      { receivers: ['dept'] },
      (m) => void got.push((m.content as { i: number }).i),
    );
    await waitFor(() => got.length === order.length, 'all deliveries');
    expect(got).toEqual([2, 5, 4, 1, 6, 0, 3]);
  });

  it('filters by type, priority, sender, receiver and tag', async () => {
    const other = (await t.engine.sessions.create({ type: 'department', name: 'other' })).id;
    const seen: Record<string, string[]> = {
      types: [],
      priorities: [],
      senders: [],
      receivers: [],
      tags: [],
    };
    const bus = t.engine.bus;
    bus.subscribe({ types: ['DIRECTION'] }, (m) => void seen.types!.push(m.id), { autoAck: false });
    bus.subscribe({ priorities: ['CRITICAL'] }, (m) => void seen.priorities!.push(m.id), {
      autoAck: false,
    });
    bus.subscribe({ senders: ['other'] }, (m) => void seen.senders!.push(m.id), { autoAck: false });
    bus.subscribe({ receivers: ['other'] }, (m) => void seen.receivers!.push(m.id), {
      autoAck: false,
    });
    bus.subscribe({ tags: ['urgent'] }, (m) => void seen.tags!.push(m.id), { autoAck: false });
    const a = await bus.publish(cmd({ type: 'DIRECTION' }));
    const b = await bus.publish(cmd({ priority: 'CRITICAL' }));
    const c = await bus.publish({ type: 'STATUS_UPDATE', sender: other, receiver: 'director' });
    const d = await bus.publish(cmd({ receiver: other }));
    const e = await bus.publish(cmd({ metadata: { tags: ['x', 'urgent'] } }));
    await bus.publish(cmd());
    await waitFor(
      () => Object.values(seen).every((v) => v.length === 1),
      'each filter to match once',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual({
      types: [a.id],
      priorities: [b.id],
      senders: [c.id],
      receivers: [d.id],
      tags: [e.id],
    });
  });

  it('stores a receiver addressed by id once, reads it back as addressed, never as a broadcast', async () => {
    const other = (await t.engine.sessions.create({ type: 'department', name: 'other' })).id;
    const byId = await t.engine.bus.publish(cmd({ receiver: dept }));
    const byName = await t.engine.bus.publish(cmd({ receiver: 'dept' }));
    const everyone = await t.engine.bus.publish({ type: 'HEARTBEAT', sender: director });
    // As a row written before schema 11 (or restored from an older checkpoint) holds it: twice.
    const older = await t.engine.bus.publish(cmd({ receiver: dept }));
    const raw = new Database(t.databasePath);
    raw.prepare('UPDATE messages SET receiver = receiver_id WHERE id = ?').run(older.id);
    const stored = raw
      .prepare('SELECT id, receiver, receiver_id FROM messages ORDER BY seq')
      .all() as Record<string, unknown>[];
    raw.close();
    expect(stored).toEqual([
      { id: byId.id, receiver: null, receiver_id: dept },
      { id: byName.id, receiver: 'dept', receiver_id: dept },
      { id: everyone.id, receiver: null, receiver_id: null },
      { id: older.id, receiver: dept, receiver_id: dept },
    ]);
    for (const m of [byId, older]) {
      expect(await t.engine.bus.get(m.id)).toMatchObject({ receiver: dept, receiverId: dept });
    }
    expect((await t.engine.bus.mailbox(dept)).map((m) => m.id)).toEqual([
      byId.id,
      byName.id,
      older.id,
    ]);

    // Published before anyone subscribed, so claims select them in SQL: another session's
    // subscription takes the broadcast and leaves the rest waiting.
    const state = async (id: string) => (await t.engine.bus.get(id))!.state;
    const toOther: string[] = [];
    t.engine.bus.subscribe({ receivers: [other] }, (m) => void toOther.push(m.id));
    await waitFor(async () => (await state(everyone.id)) === 'acknowledged', 'the broadcast');
    expect(toOther).toEqual([everyone.id]);
    for (const m of [byId, byName, older]) expect(await state(m.id)).toBe('pending');

    const toDept: string[] = [];
    t.engine.bus.subscribe({ receivers: [dept] }, (m) => void toDept.push(m.id));
    await waitFor(
      async () =>
        (await Promise.all([byId, byName, older].map((m) => state(m.id)))).every(
          (s) => s === 'acknowledged',
        ),
      'delivery to dept',
    );
    expect(toDept).toEqual([byId.id, byName.id, older.id]);
    expect(toOther).toEqual([everyone.id]);
  });

  it('broadcasts reach every subscriber and acknowledge once all succeeded', async () => {
    const got: string[] = [];
    t.engine.bus.subscribe({ receivers: ['dept'] }, () => void got.push('dept'));
    t.engine.bus.subscribe({ receivers: ['director'] }, () => void got.push('director'));
    const m = await t.engine.bus.publish({ type: 'HEARTBEAT', sender: director });
    await waitFor(async () => (await t.engine.bus.get(m.id))!.state === 'acknowledged', 'ack');
    expect(got.sort()).toEqual(['dept', 'director']);
  });

  it('retries with exponential backoff and dead-letters after maxRetries', async () => {
    await t.cleanup();
    await setup({ bus: { backoffBaseMs: 20, pollIntervalMs: 10 } });
    const times: number[] = [];
    t.engine.bus.subscribe({}, () => {
      times.push(Date.now());
      throw new Error('department is on fire');
    });
    const dead: string[] = [];
    t.engine.on('message.dead', (e) => dead.push(e.id));
    const m = await t.engine.bus.publish(cmd({ maxRetries: 3 }));
    await waitFor(() => dead.includes(m.id), 'dead letter');
    expect(times.length).toBe(4);
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    const stored = (await t.engine.bus.get(m.id))!;
    expect(stored).toMatchObject({
      state: 'dead',
      failed: true,
      attempts: 4,
      failureReason: 'department is on fire',
    });
    expect((await t.engine.bus.deadLetters()).map((x) => x.id)).toEqual([m.id]);
    expect(deadAt(m.id)).toBeGreaterThanOrEqual(times[3]!);
  });

  it('reject sends to the dead-letter queue; requeue brings it back', async () => {
    const m = await t.engine.bus.publish(cmd());
    const before = Date.now();
    await t.engine.bus.reject(m.id, 'not my job');
    expect(await t.engine.bus.get(m.id)).toMatchObject({
      state: 'dead',
      failureReason: 'not my job',
    });
    expect(deadAt(m.id)).toBeGreaterThanOrEqual(before);
    await t.engine.bus.requeue(m.id);
    expect(deadAt(m.id)).toBeNull();
    const got: string[] = [];
    t.engine.bus.subscribe({}, (x) => void got.push(x.id));
    await waitFor(() => got.length === 1, 'redelivery after requeue');
    expect(await codeOf(t.engine.bus.requeue('nope'))).toBe('INVALID_INPUT');
    expect(await codeOf(t.engine.bus.acknowledge('nope'))).toBe('INVALID_INPUT');
  });

  it('manual acknowledge; an unacknowledged lease is delivered again when it expires', async () => {
    await t.cleanup();
    await setup({ bus: { leaseMs: 50, pollIntervalMs: 10, backoffBaseMs: 1 } });
    const deliveries: Message[] = [];
    t.engine.bus.subscribe({}, (m) => void deliveries.push(m), { autoAck: false });
    const m = await t.engine.bus.publish(cmd());
    await waitFor(() => deliveries.length >= 2, 'redelivery after lease expiry');
    expect(deliveries[1]!.attempts).toBe(2);
    expect(await t.engine.bus.acknowledge(m.id)).toBe(true);
    expect((await t.engine.bus.get(m.id))!.state).toBe('acknowledged');
    const count = deliveries.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(deliveries.length).toBe(count);
  });

  it('renews the lease of a message whose handler is still at work, so it is delivered once', async () => {
    await t.cleanup();
    // Renewed with 100 ms to spare, swept every 10 ms: a slow tick on a busy host still renews.
    await setup({ bus: { leaseMs: 200, pollIntervalMs: 10, backoffBaseMs: 1 } });
    const deliveries: Message[] = [];
    // Two and a half leases long; the second message waits its turn behind the first (concurrency 1).
    t.engine.bus.subscribe({}, async (m) => {
      deliveries.push(m);
      await new Promise((r) => setTimeout(r, 500));
    });
    const [first, second] = await t.engine.bus.publishBatch([cmd(), cmd()]);
    await waitFor(
      async () => (await t.engine.bus.get(second!.id))!.state === 'acknowledged',
      'both handled',
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(deliveries.map((m) => m.id)).toEqual([first!.id, second!.id]);
    for (const m of [first!, second!]) {
      expect(await t.engine.bus.get(m.id)).toMatchObject({ state: 'acknowledged', attempts: 1 });
    }
  });

  it('dead-letters a message whose last lease runs out, and says so', async () => {
    await t.cleanup();
    await setup({ bus: { leaseMs: 40, pollIntervalMs: 10, backoffBaseMs: 1 } });
    const dead: { id: string; reason: string }[] = [];
    t.engine.on('message.dead', (e) => dead.push(e));
    let deliveries = 0;
    t.engine.bus.subscribe({}, () => void deliveries++, { autoAck: false });
    const m = await t.engine.bus.publish(cmd({ maxRetries: 1 }));
    await waitFor(() => dead.some((e) => e.id === m.id), 'the dead-letter event');
    expect(deliveries).toBe(2);
    expect(dead).toEqual([{ id: m.id, reason: expect.stringMatching(/lease expired/) }]);
    expect(await t.engine.bus.get(m.id)).toMatchObject({ state: 'dead', attempts: 2 });
    expect(deadAt(m.id)).toEqual(expect.any(Number));
    await t.engine.stream.flush();
    const events = await t.engine.stream.since(0, 1_000);
    expect(events.filter((e) => e.kind === 'message.dead' && e.id === m.id)).toHaveLength(1);
  });

  it('delays delivery and expires mail past its TTL', async () => {
    await t.cleanup();
    await setup({ bus: { pollIntervalMs: 10 } });
    const got: Message[] = [];
    const start = Date.now();
    const delayed = await t.engine.bus.publish(cmd({ delayMs: 150 }));
    const expiring = await t.engine.bus.publish(cmd({ receiver: 'nobody', ttlMs: 30 }));
    t.engine.bus.subscribe({ receivers: ['dept'] }, (m) => void got.push(m));
    await waitFor(() => got.length === 1, 'delayed delivery');
    expect(got[0]!.id).toBe(delayed.id);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    await waitFor(
      async () => (await t.engine.bus.get(expiring.id))!.state === 'dead',
      'ttl expiry',
    );
    expect((await t.engine.bus.get(expiring.id))!.failureReason).toMatch(/expired/);
    expect(deadAt(expiring.id)).toBeGreaterThanOrEqual(start + 30);
    expect(deadAt(delayed.id)).toBeNull();
  });
});

describe('request/response', () => {
  it('resolves with the correlated response', async () => {
    t.engine.bus.subscribe({ receivers: ['dept'] }, async (m) => {
      await t.engine.bus.respond(m, {
        type: 'ACKNOWLEDGMENT',
        sender: dept,
        content: { ok: true, got: m.content },
      });
    });
    const response = await t.engine.bus.request(cmd({ content: { q: 1 } }), 2_000);
    expect(response).toMatchObject({
      type: 'ACKNOWLEDGMENT',
      content: { ok: true, got: { q: 1 } },
    });
    expect(response.metadata.correlationId).toBeDefined();
    const request = (await t.engine.bus.get(response.metadata.correlationId!))!;
    expect(request.requiresResponse).toBe(true);
  });

  it('times out with MESSAGE_TIMEOUT', async () => {
    const error = (await t.engine.bus.request(cmd(), 50).catch((e) => e)) as OrchestrationError;
    expect(error.code).toBe('MESSAGE_TIMEOUT');
    expect(error.message).toMatch(/within 50 ms/);
  });
});

describe('shutdown', () => {
  it('finishes running handlers, then refuses new work with SERVICE_UNAVAILABLE', async () => {
    let finished = false;
    t.engine.bus.subscribe({}, async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    const m = await t.engine.bus.publish(cmd());
    await waitFor(async () => (await t.engine.bus.get(m.id))!.state === 'leased', 'delivery');
    await t.engine.bus.shutdown();
    expect(finished).toBe(true);
    expect(await codeOf(t.engine.bus.publish(cmd()))).toBe('SERVICE_UNAVAILABLE');
    await t.engine.close();
    const again = await t.reopen();
    expect((await again.bus.get(m.id))!.state).toBe('acknowledged');
  });
});
