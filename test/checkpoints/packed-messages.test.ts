import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import { decode, encode } from '../../src-main/engine/checkpoints/codec';
import type { Engine } from '../../src-main/engine';
import { MESSAGE_MUTABLE_COLUMNS } from '../../src-main/engine/store/sqlite/checkpoints';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { dump, smallOrchestration } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** Rewrites checkpoint `id`'s message image with `rebuild` (checksum recomputed: a valid checkpoint). */
async function rewriteImage(
  databasePath: string,
  engine: Engine,
  id: string,
  rebuild: (image: Database.Database) => Buffer,
): Promise<void> {
  const meta = await engine.checkpoints.require(id);
  const db = new Database(databasePath);
  try {
    const { data } = db.prepare('SELECT data FROM checkpoints WHERE id = ?').get(id) as {
      data: Buffer;
    };
    const payload = await decode(data, meta, 1_000);
    const image = new Database(Buffer.concat(payload.messages.packed!));
    payload.messages.packed = [rebuild(image)];
    image.close();
    const encoded = await encode(payload);
    db.prepare('UPDATE checkpoints SET data = ?, checksum = ? WHERE id = ?').run(
      encoded.data,
      encoded.checksum,
      id,
    );
  } finally {
    db.close();
  }
}

/** The image's table declared another way, every row kept. */
function redeclared(image: Database.Database, declare: (sql: string) => string): Buffer {
  const { sql } = image.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'm'`).get() as {
    sql: string;
  };
  const copy = new Database(':memory:');
  copy.exec(declare(sql));
  const columns = image.prepare('SELECT * FROM m').columns();
  const insert = copy.prepare(`INSERT INTO m VALUES (${columns.map(() => '?').join(', ')})`);
  for (const row of image.prepare('SELECT * FROM m').raw(true).all() as unknown[][]) {
    insert.run(row);
  }
  const bytes = copy.serialize();
  copy.close();
  return bytes;
}

describe('packed message images', () => {
  it('compares every column the bus changes after publishing', () => {
    // Every UPDATE of messages in the SQLite adapter: the columns it sets must be ones a restore
    // compares, or a restore would keep a changed row as it is.
    const dir = join(import.meta.dirname, '../../src-main/engine/store/sqlite');
    const set = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      if (file === 'migrations.ts' || file === 'checkpoints.ts') continue;
      let source = readFileSync(join(dir, file), 'utf8');
      // Expand the SQL fragments statements interpolate (const NAME = `…`).
      for (const [, name, text] of source.matchAll(/const (\w+) = `([^`]*)`/g)) {
        source = source.replaceAll('${' + name + '}', text!);
      }
      for (const [, assignments] of source.matchAll(/UPDATE messages SET([\s\S]*?)\bWHERE\b/g)) {
        for (const [, column] of assignments!.matchAll(/([a-z_]+) = /g)) set.add(column!);
      }
    }
    expect(set).toContain('state');
    expect([...set].filter((c) => !MESSAGE_MUTABLE_COLUMNS.includes(c))).toEqual([]);
  });

  it('restores a checkpoint whose image has untyped columns (images before typed ones)', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { d, a, sent } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'untyped' });
    const state = dump(databasePath);
    await rewriteImage(databasePath, engine, cp.id, (image) =>
      redeclared(image, (sql) => sql.replace(/ (TEXT|INTEGER)( DEFAULT \d+)?(?=,|\))/g, '')),
    );

    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    await engine.bus.acknowledge(sent[2]!.id);
    expect(await engine.checkpoints.validate(cp.id)).toMatchObject({ valid: true });
    await engine.checkpoints.restore(cp.id, { preserveCurrentState: false });
    expect(dump(databasePath)).toEqual(state);
  });

  it('refuses a checkpoint whose image does not decompress (checksum intact), and saves nothing', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'broken image' });
    const db = new Database(databasePath);
    const { data } = db.prepare('SELECT data FROM checkpoints WHERE id = ?').get(cp.id) as {
      data: Buffer;
    };
    // Format 2 framing: [uint32 length, compressed chunk]… — the head's chunk, then the image's.
    const broken = Buffer.from(data);
    const second = 4 + broken.readUInt32BE(0);
    broken.fill(0xff, second + 4, second + 4 + broken.readUInt32BE(second));
    const checksum = createHash('sha256').update(broken).digest('hex');
    db.prepare('UPDATE checkpoints SET data = ?, checksum = ? WHERE id = ?').run(
      broken,
      checksum,
      cp.id,
    );
    db.close();
    const before = dump(databasePath);
    const count = (await engine.checkpoints.stats()).count;

    const error = await engine.checkpoints.restore(cp.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestrationError);
    expect((error as OrchestrationError).code).toBe('INVALID_FORMAT');
    expect((error as OrchestrationError).message).toMatch(/cannot be decompressed/);
    expect(dump(databasePath)).toEqual(before);
    expect((await engine.checkpoints.stats()).count).toBe(count); // no undo checkpoint either
  });

  it('refuses an image whose table carries a constraint, though the checksum matches', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'collated' });
    await rewriteImage(databasePath, engine, cp.id, (image) =>
      redeclared(image, (sql) => sql.replace('content TEXT', 'content TEXT COLLATE NOCASE')),
    );
    const before = dump(databasePath);
    const error = await engine.checkpoints.restore(cp.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestrationError);
    expect((error as OrchestrationError).code).toBe('INVALID_FORMAT');
    expect((error as OrchestrationError).message).toMatch(/messages are malformed/);
    expect(dump(databasePath)).toEqual(before);
  });

  it('validation holds the image to the message counts the checkpoint lists', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'miscounted' });
    await rewriteImage(databasePath, engine, cp.id, (image) => {
      image.exec(`DELETE FROM m WHERE seq = (SELECT max(seq) FROM m)`);
      return image.serialize();
    });
    const report = await engine.checkpoints.validate(cp.id);
    expect(report.valid).toBe(false);
    expect(report.errors.join()).toMatch(/do not match the counts/);
  });

  it('restores from the decompressed chunks as they are: an image and a head that span several', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { d, a } = await smallOrchestration(engine);
    // Over 8 MB of session state (the head) and of messages (the image): each spans chunks.
    const big = (n: number) => 'x'.repeat(n);
    for (let i = 0; i < 9; i++) {
      const s = await engine.sessions.create({ type: 'department', name: `wide-${i}` });
      await engine.sessions.update(s.id, { state: { blob: big(1_000_000) } });
    }
    await engine.bus.publishBatch(
      Array.from({ length: 600 }, (_, i) => ({
        type: 'DIRECTION' as const,
        sender: d.id,
        receiver: a.id,
        content: { i, blob: big(16_000) },
      })),
    );
    const state = dump(databasePath);
    const cp = await engine.checkpoints.create({ name: 'wide' });

    const db = new Database(databasePath, { readonly: true });
    const { data } = db.prepare('SELECT data FROM checkpoints WHERE id = ?').get(cp.id) as {
      data: Buffer;
    };
    db.close();
    const payload = await decode(data, cp, 1_000);
    const parts = payload.messages.packed!;
    expect(parts.length).toBeGreaterThan(1);
    expect(Buffer.concat(parts).length).toBeGreaterThan(8 * 1024 * 1024);
    // Re-encoding the decoded parts gives the same payload back.
    const encoded = await encode(payload);
    const round = await decode(encoded.data, { ...cp, checksum: encoded.checksum }, 1_000);
    expect(Buffer.concat(round.messages.packed!).equals(Buffer.concat(parts))).toBe(true);
    expect(round.sessions).toEqual(payload.sessions);

    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    await engine.checkpoints.restore(cp.id, { preserveCurrentState: false });
    expect(dump(databasePath)).toEqual(state);
    expect(await engine.checkpoints.validate(cp.id)).toMatchObject({ valid: true });
  });

  it('round trip with an acknowledged history larger than the queue', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { d, a, sent } = await smallOrchestration(engine);
    for (let i = 0; i < 12; i++) {
      const m = await engine.bus.publish({ type: 'DIRECTION', sender: d.id, receiver: a.id });
      await engine.bus.acknowledge(m.id);
    }
    const state = dump(databasePath);
    const cp = await engine.checkpoints.create({ name: 'long history' });
    expect(cp.summary).toMatchObject({ messages: 4, acknowledged: 0 });

    await engine.bus.acknowledge(sent[3]!.id);
    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    await engine.checkpoints.restore(cp.id);
    expect(dump(databasePath)).toEqual(state);
  });

  it('acknowledges again, not removes, a message acknowledged at the checkpoint and pending again now', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { sent } = await smallOrchestration(engine);
    const pending = await engine.checkpoints.create({ name: 'all pending' });
    await engine.bus.acknowledge(sent[2]!.id);
    const acknowledged = await engine.checkpoints.create({ name: 'one more acknowledged' });
    const state = dump(databasePath, { unacknowledgedOnly: true });
    const all = dump(databasePath).messages;

    await engine.checkpoints.restore(pending.id);
    expect(dump(databasePath, { unacknowledgedOnly: true })).not.toEqual(state);
    const result = await engine.checkpoints.restore(acknowledged.id);
    expect(dump(databasePath, { unacknowledgedOnly: true })).toEqual(state);
    expect(result.restored.messages).toBe(3);
    // The history keeps it, acknowledged (by the time the checkpoint was taken).
    const again = dump(databasePath).messages;
    expect(again.map((m) => [m.id, m.state])).toEqual(all.map((m) => [m.id, m.state]));
    const row = again.find((m) => m.id === sent[2]!.id)!;
    expect(row.state).toBe('acknowledged');
    expect(row.acknowledged_at).toBeLessThanOrEqual(acknowledged.createdAt);
  });
});
