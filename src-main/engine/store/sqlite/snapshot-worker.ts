/**
 * Checkpoint snapshots off the event loop. A worker thread with its own connection to the
 * database file runs the snapshot plan (snapshot-plan.ts) in one read transaction — WAL gives it
 * the same consistent view the main connection would have had — and compresses the image there,
 * so the main thread neither copies 100k rows nor holds their tens of MB: V8 counted those
 * buffers against the main heap, and every checkpoint of a large queue set off a full garbage
 * collection there (15–40 ms of a ~130 ms create). Only the compressed chunks come back.
 *
 * The worker is plain JavaScript evaluated from a string (no loader, no bundled entry file), so
 * it carries its own copies of runPlan (snapshot-plan.ts) and of the codec's chunking
 * (checkpoints/codec.ts), both short; the compression parameters themselves come from the codec.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CompressionSpec } from '../port';
import type { PlanResults, SnapshotPlan } from './snapshot-plan';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : undefined);
db.pragma('busy_timeout = 5000');

function holds(results, condition) {
  const [step, column] = condition.split('.');
  return Boolean(results[step] && results[step][column]);
}

function runPlan(plan) {
  const results = {};
  const steps = db.transaction(() => {
    for (const step of plan.steps) {
      if (step.if && !holds(results, step.if)) continue;
      const stmt = db.prepare(step.sql);
      const args = step.args || [];
      if (step.kind === 'rows') {
        results[step.as] = { columns: stmt.columns().map((c) => c.name), rows: stmt.raw(true).all(...args) };
      } else if (step.kind === 'get') results[step.as] = stmt.get(...args);
      else stmt.run(...args);
    }
    return plan.serialize && plan.attach ? db.serialize({ attached: plan.attach.schema }) : undefined;
  });
  if (!plan.attach) return { results, image: steps.deferred() };
  db.exec("ATTACH ':memory:' AS " + plan.attach.schema);
  try {
    db.exec('PRAGMA ' + plan.attach.schema + '.page_size = ' + plan.attach.pageSize);
    return { results, image: steps.deferred() };
  } finally {
    db.exec('DETACH ' + plan.attach.schema);
  }
}

function split(piece, spec) {
  if (piece.length < spec.splitFromBytes) return [piece];
  const count = Math.ceil(piece.length / spec.maxChunkBytes / spec.parallel) * spec.parallel;
  const size = Math.ceil(piece.length / count);
  const chunks = [];
  for (let at = 0; at < piece.length; at += size) chunks.push(piece.subarray(at, Math.min(piece.length, at + size)));
  return chunks;
}

function compressChunk(chunk, spec) {
  const options = { ...spec.options, chunkSize: Math.min(spec.maxChunkBytes, Math.max(65536, chunk.length)) };
  if (spec.sizeHintParam !== undefined) options.params = { ...spec.options.params, [spec.sizeHintParam]: chunk.length };
  return new Promise((resolve, reject) =>
    zlib[spec.method](chunk, options, (error, out) => (error ? reject(error) : resolve(out))));
}

async function compress(image, spec) {
  const chunks = split(image, spec);
  const out = new Array(chunks.length);
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const i = next++;
      // Exactly sized: zlib's output is a view of a larger buffer, which a transfer would carry whole.
      out[i] = new Uint8Array(await compressChunk(chunks[i], spec));
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.parallel, chunks.length) }, lane));
  return out;
}

parentPort.on('message', async (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const { results, image } = runPlan(message.plan);
    const chunks = image ? await compress(image, message.compression) : [];
    parentPort.postMessage(
      { id: message.id, results, chunks, bytes: image ? image.length : 0 },
      chunks.map((c) => c.buffer),
    );
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { message: error.message, code: error.code } });
  }
});
`;

export interface WorkerSnapshot {
  results: PlanResults;
  /** The image in independently compressed chunks. */
  chunks: Buffer[];
  /** The image's uncompressed length. */
  bytes: number;
}

interface Pending {
  resolve: (value: WorkerSnapshot) => void;
  reject: (error: unknown) => void;
}

type Reply =
  | { id: number; results: PlanResults; chunks: Uint8Array[]; bytes: number; error?: undefined }
  | { id: number; error: { message: string; code?: string } };

/** The worker thread that takes snapshots of one database file; started on first use. */
export class SnapshotWorker {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** False once the worker could not start or died: snapshots run on the main connection. */
  private usable = true;

  /** `fromRows`: the smallest snapshot (in message rows) worth the trip to the worker. */
  constructor(
    private readonly options: { path: string; nativeBinding?: string; fromRows?: number },
  ) {}

  get fromRows(): number {
    return this.options.fromRows ?? 0;
  }

  get available(): boolean {
    return this.usable;
  }

  /**
   * Starts the thread ahead of the first snapshot, which would otherwise pay for it (about
   * 40 ms at 100k messages). Idle, it does not keep the process alive.
   */
  warm(): void {
    try {
      this.start();
    } catch {
      this.usable = false; // snapshots run on the main connection, as when the thread dies
    }
  }

  /** True once the thread was started (and has not died or been closed). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  run(plan: SnapshotPlan, compression: CompressionSpec): Promise<WorkerSnapshot> {
    const worker = this.start();
    if (!worker) return Promise.reject(new Error('the snapshot worker is not available'));
    const id = this.nextId++;
    return new Promise<WorkerSnapshot>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Held while a snapshot is under way, so the process waits for it.
      worker.ref();
      worker.postMessage({ id, plan, compression });
    });
  }

  private start(): Worker | undefined {
    if (this.worker || !this.usable) return this.worker;
    let module: string;
    try {
      module = createRequire(import.meta.url).resolve('better-sqlite3');
    } catch {
      this.usable = false;
      return undefined;
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, path: this.options.path, nativeBinding: this.options.nativeBinding },
    });
    worker.unref();
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the snapshot worker exited')));
    this.worker = worker;
    return worker;
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.error) {
      pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      return;
    }
    pending.resolve({
      results: reply.results,
      chunks: reply.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)),
      bytes: reply.bytes,
    });
  }

  /** The thread is gone: what it was doing fails, and later snapshots run on the main connection. */
  private fail(error: unknown): void {
    this.usable = false;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(new WorkerGone(error));
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.usable = false;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.ref();
    worker.postMessage('close');
    await this.exited;
  }
}

/** The worker died under a snapshot (not an error of the snapshot itself): retry elsewhere. */
export class WorkerGone extends Error {
  constructor(readonly reason: unknown) {
    super(`the snapshot worker stopped: ${String((reason as Error)?.message ?? reason)}`);
  }
}
