import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SharedWrites } from '../../src-main/engine/store/sqlite/shared-writes';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const put = db.transaction((k: string, v: number) => insert.run(k, v).changes);
  const rows = () => db.prepare('SELECT k FROM t ORDER BY k').pluck().all();
  return { db, put, rows };
}

describe('SharedWrites', () => {
  it('writes deferred work inside the next transaction and settles it only after the commit', async () => {
    const { db, put, rows } = setup();
    const writes = new SharedWrites(db);
    let settled = false;
    const deferred = writes.defer(put, 'a', 1).then((n) => {
      settled = true;
      return n;
    });
    expect(rows()).toEqual([]);
    expect(writes.transaction(put, 'b', 2)).toBe(1);
    expect(rows()).toEqual(['a', 'b']);
    expect(db.inTransaction).toBe(false);
    expect(settled).toBe(false); // a promise: settles on the next microtask, after the commit
    expect(await deferred).toBe(1);
  });

  it('writes deferred work on its own when no transaction comes along', async () => {
    const { db, put, rows } = setup();
    const writes = new SharedWrites(db);
    await writes.defer(put, 'a', 1);
    expect(rows()).toEqual(['a']);
  });

  it('rolls back only the write that failed: the carrier or a deferred one', async () => {
    const { db, put, rows } = setup();
    const writes = new SharedWrites(db);
    const first = writes.defer(put, 'a', 1);
    const clash = writes.defer(put, 'a', 2);
    const refuse = db.transaction(() => {
      put('x', 9);
      throw new Error('QUEUE_FULL');
    });
    expect(() => writes.transaction(refuse)).toThrow('QUEUE_FULL');
    expect(await first).toBe(1);
    await expect(clash).rejects.toThrow(/UNIQUE/);
    expect(rows()).toEqual(['a']);
  });
});
