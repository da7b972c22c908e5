import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import { migrate } from '../../src-main/engine/store/sqlite/database';
import { MIGRATIONS } from '../../src-main/engine/store/sqlite/migrations';
import { tempDir } from '../helpers/temp-engine';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('messages table rebuild (schema 6)', () => {
  it('keeps every message, its seq and its state, and still refuses an unknown state', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'o.db');
    const old = new Database(path);
    migrate(old, path, MIGRATIONS.slice(0, 5));
    old
      .prepare(
        `INSERT INTO sessions (id, type, name, status, timeout_ms, created_at, updated_at)
         VALUES ('d1', 'director', 'boss', 'active', 60000, 1, 1), ('w1', 'department', 'worker', 'idle', 60000, 1, 1)`,
      )
      .run();
    const insert = old.prepare(
      `INSERT INTO messages (seq, id, type, priority, sender, receiver, receiver_id, created_at, content,
        metadata, state, max_retries, available_at, acknowledged_at)
       VALUES (?, ?, 'COMMAND', 2, 'd1', 'worker', 'w1', 1, ?, '{}', ?, 3, 1, ?)`,
    );
    insert.run(7, 'm-acked', '{"n":1}', 'acknowledged', 5);
    insert.run(9, 'm-waiting', '{"n":2}', 'pending', null);
    old.close();

    const engine = await createEngine({ databasePath: path });
    try {
      expect((await engine.bus.get('m-acked'))?.state).toBe('acknowledged');
      const waiting = await engine.bus.get('m-waiting');
      expect(waiting).toMatchObject({ state: 'pending', content: { n: 2 }, receiverId: 'w1' });
      const delivered = new Promise<unknown>((resolve) =>
        engine.bus.subscribe({ receivers: ['worker'] }, (m) => resolve(m.content)),
      );
      expect(await delivered).toEqual({ n: 2 });
    } finally {
      await engine.close();
    }

    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare(`SELECT seq, id FROM messages ORDER BY seq`).all()).toEqual([
      { seq: 7, id: 'm-acked' },
      { seq: 9, id: 'm-waiting' },
    ]);
    expect(() => db.prepare(`UPDATE messages SET state = 'lost' WHERE seq = 9`).run()).toThrow(
      /CHECK constraint failed/,
    );
    db.close();
  });
});

describe('delayed-message index (schema 9)', () => {
  it('holds only messages made to wait, and the timer still wakes for them', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'o.db');
    const engine = await createEngine({ databasePath: path });
    try {
      const d = await engine.sessions.create({ type: 'director', name: 'boss' });
      await engine.bus.publishBatch(
        Array.from({ length: 50 }, () => ({
          type: 'HEARTBEAT' as const,
          sender: d.id,
          receiver: 'nobody',
        })),
      );
      const later = await engine.bus.publish({
        type: 'COMMAND',
        sender: d.id,
        receiver: 'worker',
        content: { n: 1 },
        delayMs: 300,
      });
      const db = new Database(path, { readonly: true });
      const waiting = db
        .prepare(
          `SELECT id FROM messages INDEXED BY messages_delayed
           WHERE state = 'pending' AND available_at > created_at`,
        )
        .all();
      db.close();
      expect(waiting).toEqual([{ id: later.id }]);
      const got = await new Promise<unknown>((resolve) =>
        engine.bus.subscribe({ receivers: ['worker'] }, (m) => resolve(m.content)),
      );
      expect(got).toEqual({ n: 1 });
    } finally {
      await engine.close();
    }
  });
});
