/**
 * Snapshots of a database file run on a worker thread's own connection and come back compressed
 * (store/sqlite/snapshot-worker.ts): the same tables and rows as the main connection reads, a
 * consistent view while the main thread keeps committing, and the main connection again when
 * the worker cannot run.
 */
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compressionSpec } from '../../src-main/engine/checkpoints/codec';
import { SqliteCheckpointStore } from '../../src-main/engine/store/sqlite/checkpoints';
import { openDatabase } from '../../src-main/engine/store/sqlite/database';
import { createSqliteStorage } from '../../src-main/engine/store/sqlite';
import { SnapshotWorker } from '../../src-main/engine/store/sqlite/snapshot-worker';
import type { SnapshotTables } from '../../src-main/engine/store/port';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { pingPong } from './fixtures/ping-pong';
import { smallOrchestration } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await t?.cleanup();
  t = undefined;
});

const brotli = compressionSpec('brotli');

/** The image the worker compressed, decompressed chunk by chunk. */
function image(tables: SnapshotTables): Buffer {
  const { compressed } = tables.messages;
  return Buffer.concat(compressed!.chunks.map((c) => brotliDecompressSync(c)));
}

describe('snapshots on a worker thread', () => {
  it('read what the main connection reads, for each way the image is copied', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { d, a } = await smallOrchestration(engine);
    const sent = await engine.bus.publishBatch(
      Array.from({ length: 300 }, (_, i) => ({
        type: 'DIRECTION' as const,
        sender: d.id,
        receiver: a.id,
        content: { i },
      })),
    );
    // 10 acknowledged of 300: the whole table is transferred and the history deleted from it.
    for (const m of sent.slice(0, 10)) await engine.bus.acknowledge(m.id);
    await engine.close();

    const storage = createSqliteStorage({ path: databasePath, snapshotWorkerFrom: 0 });
    try {
      const compare = async (options: { acknowledgedFromSeq?: number }) => {
        const viaWorker = await storage.checkpoints.snapshot({ ...options, compress: brotli });
        const here = await storage.checkpoints.snapshot(options);
        expect(viaWorker.messages.packed).toBeUndefined();
        expect(here.messages.compressed).toBeUndefined();
        const packed = image(viaWorker);
        expect(packed.length).toBe(viaWorker.messages.compressed!.bytes);
        const rows = storage.checkpoints.unpack({ ...viaWorker.messages, packed: [packed] });
        expect(rows).toEqual(storage.checkpoints.unpack(here.messages));
        const { compressed: _w, ...workerMessages } = viaWorker.messages;
        const { packed: _h, ...hereMessages } = here.messages;
        expect({ ...viaWorker, messages: workerMessages }).toEqual({
          ...here,
          messages: hereMessages,
        });
        return rows.length;
      };
      expect(await compare({})).toBe(300 - 10 + 4); // and 4 of smallOrchestration's 5
      // Every acknowledged row kept: no history to delete.
      expect(await compare({ acknowledgedFromSeq: 1 })).toBe(300 + 5);

      // 290 of 300 acknowledged: only the kept rows are read (the filtered copy).
      const db = openDatabase({ path: databasePath });
      db.prepare(
        `UPDATE messages SET state = 'acknowledged' WHERE state = 'pending' AND seq > 20`,
      ).run();
      db.close();
      expect(await compare({})).toBeLessThan(30);
    } finally {
      await storage.close();
    }
  });

  it('take a consistent snapshot while the main thread keeps publishing', async () => {
    t = await tempEngine({ bus: { maxQueueSize: 100_000 } });
    const { engine } = t;
    const { d, a } = await smallOrchestration(engine);
    // Past the size from which the engine takes snapshots on the worker (10,000 messages).
    for (let i = 0; i < 10; i++) {
      await engine.bus.publishBatch(
        Array.from({ length: 1_000 }, () => ({
          type: 'DIRECTION' as const,
          sender: d.id,
          receiver: a.id,
        })),
      );
    }
    const onWorker = vi.spyOn(SnapshotWorker.prototype, 'run'); // calls through
    let publishing = true;
    let published = 0;
    const publisher = (async () => {
      while (publishing) {
        await engine.bus.publishBatch(
          Array.from({ length: 50 }, () => ({
            type: 'DIRECTION' as const,
            sender: d.id,
            receiver: a.id,
          })),
        );
        published += 50;
      }
    })();
    const checkpoints = [];
    for (let i = 0; i < 5; i++)
      checkpoints.push(await engine.checkpoints.create({ name: `busy ${i}` }));
    publishing = false;
    await publisher;
    expect(onWorker).toHaveBeenCalledTimes(5);

    // Publishing went on between the snapshots, and each one's image holds what its head counts.
    const pending = checkpoints.map((c) => c.summary.pending);
    expect(new Set(pending).size).toBeGreaterThan(1);
    expect(published).toBeGreaterThan(0);
    for (const c of checkpoints) {
      expect(await engine.checkpoints.validate(c.id)).toEqual({
        id: c.id,
        valid: true,
        errors: [],
      });
    }
  });

  it('start when a run starts running, so the first large checkpoint does not wait for the thread', async () => {
    const warm = vi.spyOn(SnapshotWorker.prototype, 'warm'); // calls through
    t = await tempEngine();
    const { engine } = t;
    await smallOrchestration(engine);
    expect(warm).not.toHaveBeenCalled();

    const workflow = await engine.workflows.create(pingPong);
    const run = await engine.runs.start(workflow.id, null);
    await waitFor(() => warm.mock.calls.length > 0, 'the run to warm the checkpoint store');
    const worker = warm.mock.contexts[0] as SnapshotWorker;
    expect(worker.started).toBe(true);
    await engine.runs.cancel(run.id, 'done with it');
    await engine.close();
    expect(worker.started).toBe(false);
  });

  it('fall back to the main connection when the worker cannot open the database', async () => {
    t = await tempEngine();
    const { engine, databasePath, dir } = t;
    await smallOrchestration(engine);
    await engine.close();

    const db = openDatabase({ path: databasePath });
    const worker = new SnapshotWorker({ path: join(dir, 'no-such-dir', 'x.db'), fromRows: 0 });
    const store = new SqliteCheckpointStore(db, undefined, worker);
    try {
      const tables = await store.snapshot({ compress: brotli });
      expect(tables.messages.packed).toHaveLength(1);
      expect(tables.messages.compressed).toBeUndefined();
      expect(store.unpack(tables.messages)).toHaveLength(4);
      expect(worker.available).toBe(false);
    } finally {
      await worker.close();
      db.close();
    }
  });
});
