/**
 * The audit log's SQLite storage (blocks of entries, one block per append): seqs, newest-first
 * paging and filters across blocks and callers, pruning that cuts through a block, and rows of
 * the per-row table (schema 9) carried over by migration 10.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-main/engine/store/port';
import { migrate, openDatabase, type SqliteDb } from '../../src-main/engine/store/sqlite/database';
import { MIGRATIONS } from '../../src-main/engine/store/sqlite/migrations';
import { SqliteAuditStore } from '../../src-main/engine/store/sqlite/security';
import { tempDir } from '../helpers/temp-engine';

const dirs: string[] = [];
const dbs: SqliteDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbPath() {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir, 'o.db');
}

function open(path = dbPath()) {
  const db = openDatabase({ path });
  dbs.push(db);
  return new SqliteAuditStore(db);
}

const row = (over: Partial<AuditRecord>): AuditRecord => ({
  at: 1_000,
  tokenId: 'tok_a',
  role: 'developer',
  transport: 'websocket',
  method: 'bus.publish',
  outcome: 'ok',
  detail: null,
  client: '127.0.0.1',
  ...over,
});

describe('audit store', () => {
  it('numbers entries across appends and lists them newest first, with every field', async () => {
    const store = open();
    await store.append([row({ at: 1 }), row({ at: 2, tokenId: 'tok_b', role: 'admin' })]);
    await store.append([
      row({ at: 3, outcome: 'RATE_LIMITED', detail: 'retryAfterMs=5', client: null }),
      row({ at: 4, tokenId: null, role: null, transport: 'http', method: 'connect' }),
      row({ at: 5 }),
    ]);
    const all = await store.list({ limit: 100 });
    expect(all.map((r) => [r.seq, r.at])).toEqual([
      [5, 5],
      [4, 4],
      [3, 3],
      [2, 2],
      [1, 1],
    ]);
    expect(all[1]).toEqual({
      seq: 4,
      ...row({ at: 4, tokenId: null, role: null, transport: 'http', method: 'connect' }),
    });
    expect(all[2]).toMatchObject({
      outcome: 'RATE_LIMITED',
      detail: 'retryAfterMs=5',
      client: null,
    });
    expect(all[3]).toMatchObject({ tokenId: 'tok_b', role: 'admin', client: '127.0.0.1' });
  });

  it('filters by method, outcome, token and time, and pages with beforeSeq', async () => {
    const store = open();
    for (let b = 0; b < 5; b++) {
      await store.append(
        Array.from({ length: 10 }, (_, i) =>
          row({
            at: 100 * b + i,
            tokenId: `tok_${i % 3}`,
            method: i % 2 ? 'sessions.create' : 'bus.publish',
            outcome: i === 9 ? 'FORBIDDEN' : 'ok',
          }),
        ),
      );
    }
    const forbidden = await store.list({ outcome: 'FORBIDDEN', limit: 100 });
    expect(forbidden.map((r) => r.seq)).toEqual([50, 40, 30, 20, 10]);
    const created = await store.list({ method: 'sessions.create', tokenId: 'tok_1', limit: 100 });
    expect(created.every((r) => r.method === 'sessions.create' && r.tokenId === 'tok_1')).toBe(
      true,
    );
    expect(created).toHaveLength(5 * 2); // i = 1 and 7 in each block
    expect((await store.list({ since: 400, limit: 100 })).map((r) => r.at)).toEqual([
      409, 408, 407, 406, 405, 404, 403, 402, 401, 400,
    ]);
    // A prefix of a value is not a match.
    expect(await store.list({ method: 'bus', limit: 100 })).toEqual([]);
    expect(await store.list({ tokenId: 'tok_', limit: 100 })).toEqual([]);
    const pages: number[][] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await store.list({ method: 'bus.publish', beforeSeq, limit: 7 });
      if (page.length === 0) break;
      pages.push(page.map((r) => r.seq));
      beforeSeq = page.at(-1)!.seq;
    }
    expect(pages.flat()).toEqual(
      Array.from({ length: 50 }, (_, i) => 50 - i).filter((seq) => (seq - 1) % 2 === 0),
    );
    expect(pages[0]).toHaveLength(7);
  });

  it('prunes whole blocks and the older part of a block, keeping the seqs of the rest', async () => {
    const store = open();
    await store.append([row({ at: 10 }), row({ at: 20 })]);
    await store.append([row({ at: 30 }), row({ at: 50 }), row({ at: 40 }), row({ at: 60 })]);
    expect(await store.prune(45)).toBe(4);
    expect((await store.list({ limit: 10 })).map((r) => [r.seq, r.at])).toEqual([
      [6, 60],
      [4, 50],
    ]);
    expect(await store.prune(45)).toBe(0);
    expect(await store.prune(55)).toBe(1);
    await store.append([row({ at: 70 })]);
    expect((await store.list({ limit: 10 })).map((r) => [r.seq, r.at])).toEqual([
      [7, 70],
      [6, 60],
    ]);
    expect(await store.prune(100)).toBe(2);
    expect(await store.list({ limit: 10 })).toEqual([]);
  });

  it('carries the rows of the per-row table (schema 9) over, seqs and all', async () => {
    const path = dbPath();
    const old = new Database(path);
    migrate(old, path, MIGRATIONS.slice(0, 9));
    const insert = old.prepare(`INSERT INTO audit_log
      (seq, at, token_id, role, transport, method, outcome, detail, client)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    insert.run(3, 1_000, 'tok_a', 'developer', 'websocket', 'bus.publish', 'ok', null, '::1');
    insert.run(7, 2_000, null, null, 'http', 'connect', 'INVALID_TOKEN', 'expired', null);
    old.close();
    const store = open(path);
    expect(await store.list({ limit: 10 })).toEqual([
      {
        seq: 7,
        at: 2_000,
        tokenId: null,
        role: null,
        transport: 'http',
        method: 'connect',
        outcome: 'INVALID_TOKEN',
        detail: 'expired',
        client: null,
      },
      { seq: 3, ...row({ client: '::1' }) },
    ]);
    expect(await store.list({ tokenId: 'tok_a', limit: 10 })).toHaveLength(1);
    expect(await store.list({ outcome: 'INVALID_TOKEN', limit: 10 })).toHaveLength(1);
    await store.append([row({ at: 3_000 })]);
    expect((await store.list({ limit: 1 }))[0]!.seq).toBe(8);
    expect(await store.prune(1_500)).toBe(1);
  });
});
