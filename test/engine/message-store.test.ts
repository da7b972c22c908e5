import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewMessage } from '../../src-main/engine/store/port';
import { openDatabase, type SqliteDb } from '../../src-main/engine/store/sqlite/database';
import { SqliteMessageStore } from '../../src-main/engine/store/sqlite/messages';

let dir: string;
let db: SqliteDb;
let store: SqliteMessageStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-store-'));
  db = openDatabase({ path: join(dir, 'store.db') });
  db.pragma('foreign_keys = OFF'); // messages name a sender; no sessions table rows needed here
  store = new SqliteMessageStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const message = (id: string, n = 0): NewMessage => ({
  id,
  type: 'COMMAND',
  priority: 2,
  sender: 'director',
  receiver: 'dept',
  receiverId: null,
  timestamp: 1000,
  content: JSON.stringify({ n }),
  metadata: '{}',
  tags: null,
  correlationId: null,
  state: 'leased',
  attempts: 1,
  maxRetries: 3,
  availableAt: 1000,
  leaseUntil: 31_000,
  leaseOwner: 'owner',
  deliveredAt: 1000,
  acknowledgedAt: null,
  requiresResponse: false,
  responseDeadline: null,
  expiresAt: null,
  key: null,
});

const seqOf = (id: string) =>
  (db.prepare('SELECT seq FROM messages WHERE id = ?').get(id) as { seq: number }).seq;
const stateOf = (id: string) =>
  db.prepare('SELECT state, acknowledged_at AS at FROM messages WHERE id = ?').get(id);

/** `n` leased messages `${prefix}-0`…, inserted: their ids and acknowledgement targets. */
async function leased(prefix: string, n: number) {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const { records } = await store.insert(
    ids.map((id) => message(id)),
    1_000_000,
  );
  return { ids, targets: records.map((r) => ({ id: r.record.id, key: r.record.key })) };
}

describe('SqliteMessageStore', () => {
  it('inserts a batch many rows per statement, each record keyed by its own seq', async () => {
    const ids = Array.from({ length: 87 }, (_, i) => `m-${i}`); // 64 + 16 + 4 + 1 + 1 + 1 rows
    const { records } = await store.insert(
      ids.map((id, i) => message(id, i)),
      1_000_000,
    );
    expect(records.map((r) => r.duplicate)).toEqual(ids.map(() => false));
    expect(records.map((r) => r.record.key)).toEqual(ids.map(seqOf));
    expect(records.map((r) => r.record.id)).toEqual(ids);
  });

  it('tells duplicates apart in a batch: ids stored before and an id given twice', async () => {
    await store.insert([message('old-1', 1), message('old-2', 2)], 1_000_000);
    const batch = [
      message('a', 10),
      message('old-1', 11),
      message('b', 12),
      message('b', 13),
      message('c', 14),
      message('old-2', 15),
      message('d', 16),
    ];
    const { records } = await store.insert(batch, 1_000_000);
    expect(records.map((r) => [r.record.id, r.duplicate])).toEqual([
      ['a', false],
      ['old-1', true],
      ['b', false],
      ['b', true],
      ['c', false],
      ['old-2', true],
      ['d', false],
    ]);
    // A duplicate answers with what is stored, not with what was sent again.
    expect(records[1]!.record.content).toBe(JSON.stringify({ n: 1 }));
    expect(records[3]!.record.content).toBe(JSON.stringify({ n: 12 }));
    for (const r of records) expect(r.record.key).toBe(seqOf(r.record.id));
  });

  it('acknowledges a batch at once, or row by row when some targets are done already', async () => {
    const { ids, targets } = await leased('m', 10);
    expect(await store.acknowledge(targets.slice(0, 2), 5000)).toEqual(['m-0', 'm-1']);

    // Two were acknowledged before and one key names another message: only the rest change.
    const mixed = [...targets.slice(0, 8), { id: 'm-8', key: targets[9]!.key }];
    expect(await store.acknowledge(mixed, 6000)).toEqual(ids.slice(2, 8));
    expect(stateOf('m-0')).toEqual({ state: 'acknowledged', at: 5000 });
    expect(stateOf('m-7')).toEqual({ state: 'acknowledged', at: 6000 });
    expect(stateOf('m-8')).toEqual({ state: 'leased', at: null });

    expect(await store.acknowledge(targets.slice(8), 7000)).toEqual(['m-8', 'm-9']);
    expect(stateOf('m-9')).toEqual({ state: 'acknowledged', at: 7000 });
  });

  it('acknowledges batches of every statement size, and a message by its id whatever key comes with it', async () => {
    const { ids, targets } = await leased('b', 600);
    // 5, 17 and 65 pad to the next statement size; 513 spans three statements of 256.
    expect(await store.acknowledge(targets.slice(0, 5), 1)).toEqual(ids.slice(0, 5));
    expect(await store.acknowledge(targets.slice(5, 22), 2)).toEqual(ids.slice(5, 22));
    // Keys swapped within the batch: each id still names one message, which is acknowledged.
    const swapped = targets
      .slice(22, 87)
      .map((t, i, all) => ({ id: t.id, key: all[(i + 1) % all.length]!.key }));
    expect(await store.acknowledge(swapped, 3)).toEqual(ids.slice(22, 87));
    expect(await store.acknowledge(targets.slice(87), 4)).toEqual(ids.slice(87));
    const states = db
      .prepare(
        `SELECT acknowledged_at AS at, count(*) AS n FROM messages WHERE id LIKE 'b-%' GROUP BY at`,
      )
      .all();
    expect(states).toEqual([
      { at: 1, n: 5 },
      { at: 2, n: 17 },
      { at: 3, n: 65 },
      { at: 4, n: 513 },
    ]);
  });
});

describe('the queue limit', () => {
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const insert = (list: string[], max: number) =>
    store.insert(
      list.map((id) => message(id)),
      max,
    );
  const refused = (list: string[], max: number) =>
    insert(list, max).then(
      () => 'accepted',
      (e: { code?: string }) => e.code,
    );
  const ackAll = async (list: string[]) => {
    const targets = list.map((id) => ({ id, key: seqOf(id) }));
    expect(await store.acknowledge(targets, 2000)).toHaveLength(list.length);
  };

  it('counts what acknowledgements freed once the estimate passes the limit, and refuses past it', async () => {
    await insert(ids('a', 8), 10);
    await ackAll(ids('a', 5));
    // 8 + 6 passes 10 on the running estimate, but only 3 + 6 are unacknowledged.
    await insert(ids('b', 6), 10);
    expect(await refused(ids('c', 2), 10)).toBe('QUEUE_FULL');
    expect(await store.queueSize()).toBe(9);
    expect(await refused(ids('d', 1), 10)).toBe('accepted');
  });

  it('counts again after dead letters are requeued', async () => {
    await insert(ids('a', 3), 3);
    const dead = await store.deadLetter(
      ids('a', 3).map((id) => ({ id, reason: 'test' })),
      2000,
    );
    expect(dead).toHaveLength(3);
    await insert(['b-0'], 3); // counted: 1 unacknowledged
    expect(await store.requeue(ids('a', 3), 3000)).toHaveLength(3);
    expect(await refused(['c-0'], 3)).toBe('QUEUE_FULL');
  });

  it('sees messages another connection (another process) added', async () => {
    await insert(ids('a', 2), 5);
    const other = openDatabase({ path: join(dir, 'store.db') });
    other.pragma('foreign_keys = OFF');
    await new SqliteMessageStore(other).insert(
      ids('x', 3).map((id) => message(id)),
      1_000,
    );
    other.close();
    expect(await refused(['b-0'], 5)).toBe('QUEUE_FULL');
    expect(await store.queueSize()).toBe(5);
  });
});
