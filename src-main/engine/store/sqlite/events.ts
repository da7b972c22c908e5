import type { StreamBatchRecord, StreamStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';
import { SharedWrites } from './shared-writes';

interface BatchRow {
  first_seq: number;
  last_seq: number;
  at: number;
  count: number;
  body: string;
}

const fromRow = (r: BatchRow): StreamBatchRecord => ({
  firstSeq: r.first_seq,
  lastSeq: r.last_seq,
  at: r.at,
  count: r.count,
  body: r.body,
});

/**
 * The event stream's table. One row per batch rather than per event: a busy bus produces three
 * events per message, and a row (plus its JSON) per event cost the bus ~30 % of its throughput.
 */
export class SqliteStreamStore implements StreamStore {
  private readonly s;
  private readonly appendAll;

  constructor(
    db: SqliteDb,
    private readonly writes: SharedWrites = new SharedWrites(db),
  ) {
    this.s = {
      insert: db.prepare<[number, number, number, number, string]>(
        `INSERT INTO stream_events (first_seq, last_seq, at, count, body) VALUES (?, ?, ?, ?, ?)`,
      ),
      since: db.prepare<[number, number], BatchRow>(
        `SELECT * FROM stream_events WHERE last_seq > ? ORDER BY first_seq LIMIT ?`,
      ),
      last: db.prepare<[], { seq: number | null }>(
        `SELECT max(last_seq) AS seq FROM stream_events`,
      ),
    };
    this.appendAll = db.transaction((batches: readonly StreamBatchRecord[]) => {
      for (const b of batches) this.s.insert.run(b.firstSeq, b.lastSeq, b.at, b.count, b.body);
    });
  }

  /** Rides in the next write transaction (see SharedWrites): resolves once that is committed. */
  async append(batches: readonly StreamBatchRecord[]): Promise<void> {
    if (batches.length === 0) return;
    try {
      await this.writes.defer(this.appendAll, batches);
    } catch (error) {
      guard(() => {
        throw error;
      });
    }
  }

  async since(after: number, limit: number): Promise<StreamBatchRecord[]> {
    return guard(() => this.s.since.all(after, limit)).map(fromRow);
  }

  async lastSeq(): Promise<number> {
    return guard(() => this.s.last.get()?.seq ?? 0);
  }
}
