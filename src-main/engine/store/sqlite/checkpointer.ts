/**
 * WAL checkpoints off the event loop. A checkpoint copies the WAL back into the database file and
 * fsyncs both; SQLite runs one automatically after the commit that takes the WAL past 1,000
 * pages, inside that commit's call — so a busy bus stalled for the two fsyncs (tens of ms on a
 * shared disk) every few thousand messages, the largest part of its p99 latency.
 *
 * Once the WAL grows, a worker thread with its own connection runs PASSIVE checkpoints (they
 * never block writers) every `intervalMs`. The main connection's automatic checkpoint stays as
 * the safety valve at a far higher mark (`fallbackPages`): under load that never pauses, a WAL
 * can only restart after a checkpoint that no commit overtook, which only the writer itself can
 * guarantee. Durability is unchanged: commits are written to the WAL exactly as before and the
 * checkpoint syncs with the same `synchronous` level.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDb } from './database';

export interface CheckpointerOptions {
  path: string;
  synchronous: 'NORMAL' | 'FULL';
  nativeBinding?: string;
  /** Start the worker once the WAL file is larger than this. */
  startAtBytes?: number;
  intervalMs?: number;
  fallbackPages?: number;
}

// CommonJS for an eval worker: it loads without a loader or a bundled entry file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : undefined);
db.pragma('synchronous = ' + workerData.synchronous);
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next round retries */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class BackgroundCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly watch: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly db: SqliteDb,
    private readonly options: CheckpointerOptions,
  ) {
    const startAt = options.startAtBytes ?? 1024 * 1024;
    this.watch = setInterval(() => {
      if (this.walBytes() > startAt) this.start();
    }, 100);
    this.watch.unref();
  }

  private walBytes(): number {
    try {
      return statSync(`${this.options.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  private start(): void {
    clearInterval(this.watch);
    if (this.closed || this.worker) return;
    let module: string;
    try {
      module = createRequire(import.meta.url).resolve('better-sqlite3');
    } catch {
      return; // stays on SQLite's own automatic checkpoints
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module,
        path: this.options.path,
        nativeBinding: this.options.nativeBinding,
        synchronous: this.options.synchronous,
        intervalMs: this.options.intervalMs ?? 50,
      },
    });
    worker.unref();
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('error', (error) => {
      console.error('orchestration: background WAL checkpoints stopped', error);
      this.worker = undefined;
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
    });
    this.worker = worker;
    this.db.pragma(`wal_autocheckpoint = ${this.options.fallbackPages ?? 16_384}`);
  }

  /** Stops the worker (its connection closes first, so the main one stays the last to close). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watch);
    // Held while it closes: an unref'd worker would let the process exit mid-close.
    this.worker?.ref();
    this.worker?.postMessage('close');
    this.worker = undefined;
    await this.exited;
  }
}
