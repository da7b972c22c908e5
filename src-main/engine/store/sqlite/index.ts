import type { StoragePort } from '../port';
import { SqliteCheckpointStore } from './checkpoints';
import { BackgroundCheckpointer } from './checkpointer';
import { openDatabase, type OpenOptions } from './database';
import { SqliteStreamStore } from './events';
import { SqliteMessageStore } from './messages';
import { SharedWrites } from './shared-writes';
import { SnapshotWorker } from './snapshot-worker';
import { SqliteRunStore } from './runs';
import { SqliteAuditStore, SqliteTokenStore } from './security';
import { SqliteSessionStore } from './sessions';
import { SqliteTrustStore } from './trust';
import { SqliteWorkflowStore } from './workflows';

export interface SqliteStorageOptions extends OpenOptions {
  /**
   * Checkpoint snapshots of this many messages or more (the seqs' span) run on a worker thread
   * (snapshot-worker.ts); smaller ones copy in a few milliseconds, less than the worker's start.
   */
  snapshotWorkerFrom?: number;
}

const SNAPSHOT_WORKER_FROM = 10_000;

/** The embedded adapter: one better-sqlite3 connection (plus a checkpointing one off the event loop), WAL, migrations applied on open. */
export function createSqliteStorage(options: SqliteStorageOptions): StoragePort {
  const db = openDatabase(options);
  // One per connection: the bus's publishes carry acknowledgements, stream batches, audit rows.
  const writes = new SharedWrites(db);
  const checkpointer =
    options.path === ':memory:'
      ? undefined
      : new BackgroundCheckpointer(db, {
          path: options.path,
          synchronous: options.durability === 'full' ? 'FULL' : 'NORMAL',
          nativeBinding: options.nativeBinding,
        });
  const snapshots =
    options.path === ':memory:'
      ? undefined
      : new SnapshotWorker({
          path: options.path,
          nativeBinding: options.nativeBinding,
          fromRows: options.snapshotWorkerFrom ?? SNAPSHOT_WORKER_FROM,
        });
  const messages = new SqliteMessageStore(db, writes);
  return {
    kind: 'sqlite',
    messages,
    sessions: new SqliteSessionStore(db),
    workflows: new SqliteWorkflowStore(db),
    runs: new SqliteRunStore(db),
    stream: new SqliteStreamStore(db, writes),
    checkpoints: new SqliteCheckpointStore(db, () => messages.forgetQueueSize(), snapshots),
    trust: new SqliteTrustStore(db),
    tokens: new SqliteTokenStore(db),
    audit: new SqliteAuditStore(db, writes),
    async close() {
      await snapshots?.close();
      await checkpointer?.close();
      writes.flush();
      if (db.open) db.close();
    },
  };
}
