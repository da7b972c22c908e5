/**
 * Checkpoints in SQLite: the snapshot is read in one (deferred, read-only) transaction and a
 * restore replaces the state in one IMMEDIATE transaction. Checkpoint blobs live in their own
 * table; listing never reads them.
 */
import { ValidationError } from '../../../../src-shared/errors';
import type {
  CheckpointMeta,
  CheckpointQuery,
  CheckpointStore,
  ReplaceResult,
  SnapshotTables,
  TableRows,
} from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';
import { SCHEMA_VERSION } from './migrations';

interface MetaRow {
  id: string;
  name: string;
  description: string | null;
  tags: string;
  created_at: number;
  automatic: number;
  parent_id: string | null;
  run_id: string | null;
  size_bytes: number;
  raw_size_bytes: number;
  checksum: string;
  schema_version: number;
  codec: string;
  summary: string;
}

const META = `id, name, description, tags, created_at, automatic, parent_id, run_id, size_bytes,
  raw_size_bytes, checksum, schema_version, codec, summary`;

function fromRow(r: MetaRow): CheckpointMeta {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    tags: JSON.parse(r.tags) as string[],
    createdAt: r.created_at,
    automatic: r.automatic === 1,
    parentId: r.parent_id,
    runId: r.run_id,
    sizeBytes: r.size_bytes,
    rawSizeBytes: r.raw_size_bytes,
    checksum: r.checksum,
    schemaVersion: r.schema_version,
    codec: r.codec,
    summary: JSON.parse(r.summary) as Record<string, number>,
  };
}

/** A prepared statement in raw mode: rows as arrays. */
interface RawStatement {
  columns(): { name: string }[];
  all(): unknown;
}

type Table = 'sessions' | 'workflows' | 'runs' | 'messages';
const TABLES: readonly Table[] = ['sessions', 'workflows', 'runs', 'messages'];

function sameRow(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SqliteCheckpointStore implements CheckpointStore {
  readonly dbSchemaVersion = SCHEMA_VERSION;
  private readonly s;
  private readonly known = new Map<Table, Set<string>>();

  constructor(private readonly db: SqliteDb) {
    for (const t of TABLES) {
      const cols = db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[];
      this.known.set(t, new Set(cols.map((c) => c.name)));
    }
    this.s = {
      sessions: db.prepare(`SELECT * FROM sessions ORDER BY created_at, id`).raw(true),
      workflows: db.prepare(`SELECT * FROM workflows ORDER BY id`).raw(true),
      runs: db.prepare(`SELECT * FROM runs ORDER BY created_at, id`).raw(true),
      // Acknowledged rows from seq ? on are kept too (pass max + 1 for none).
      messagesJson: db.prepare<[number], { rows: string }>(
        `SELECT json_group_array(json_array(${[...this.known.get('messages')!].join(', ')})) AS rows
         FROM (SELECT * FROM messages WHERE state != 'acknowledged' OR seq >= ? ORDER BY seq)`,
      ),
      messageStates: db.prepare<[number], { state: string; n: number }>(
        `SELECT state, count(*) AS n FROM messages WHERE state != 'acknowledged' OR seq >= ?
         GROUP BY state`,
      ),
      maxSeq: db.prepare<[], { n: number | null }>(`SELECT max(seq) AS n FROM messages`),
      leasedBy: db.prepare<[string], { n: number }>(
        `SELECT count(*) AS n FROM messages WHERE state = 'leased' AND lease_owner = ?`,
      ),
      insert: db.prepare(`INSERT INTO checkpoints (${META}, data) VALUES (@id, @name, @description,
        @tags, @createdAt, @automatic, @parentId, @runId, @sizeBytes, @rawSizeBytes, @checksum,
        @schemaVersion, @codec, @summary, @data)`),
      get: db.prepare<[string], MetaRow>(`SELECT ${META} FROM checkpoints WHERE id = ?`),
      data: db.prepare<[string], { data: Buffer }>(`SELECT data FROM checkpoints WHERE id = ?`),
      delete: db.prepare<[string]>(`DELETE FROM checkpoints WHERE id = ?`),
      reparent: db.prepare<[string | null, string]>(
        `UPDATE checkpoints SET parent_id = ? WHERE parent_id = ?`,
      ),
      expired: db.prepare<[number], { id: string; parent_id: string | null }>(
        `SELECT id, parent_id FROM checkpoints WHERE automatic = 1 AND created_at < ? ORDER BY created_at`,
      ),
      head: db.prepare<[], { checkpoint_id: string | null }>(
        `SELECT checkpoint_id FROM checkpoint_head WHERE one = 1`,
      ),
      setHead: db.prepare<[string | null]>(
        `INSERT INTO checkpoint_head (one, checkpoint_id) VALUES (1, ?)
         ON CONFLICT(one) DO UPDATE SET checkpoint_id = excluded.checkpoint_id`,
      ),
      totals: db.prepare<[], Record<string, number | null>>(`SELECT count(*) AS count,
        coalesce(sum(automatic), 0) AS automatic, coalesce(sum(size_bytes), 0) AS bytes,
        min(created_at) AS oldest, max(created_at) AS newest FROM checkpoints`),
    };
  }

  async snapshot(options: { acknowledgedFromSeq?: number } = {}): Promise<SnapshotTables> {
    const read = (stmt: RawStatement): TableRows => ({
      columns: stmt.columns().map((c) => c.name),
      rows: stmt.all() as unknown[][],
    });
    const tx = this.db.transaction(() => {
      const maxMessageSeq = this.s.maxSeq.get()!.n ?? 0;
      const ackFrom = options.acknowledgedFromSeq ?? maxMessageSeq + 1;
      return {
        dbSchemaVersion: SCHEMA_VERSION,
        maxMessageSeq,
        sessions: read(this.s.sessions),
        workflows: read(this.s.workflows),
        runs: read(this.s.runs),
        messages: {
          // Serialised by SQLite: 3–4× faster than row arrays + JSON.stringify at 100k messages.
          columns: [...this.known.get('messages')!],
          rows: [],
          rowsJson: this.s.messagesJson.get(ackFrom)!.rows,
          states: Object.fromEntries(this.s.messageStates.all(ackFrom).map((r) => [r.state, r.n])),
        },
      };
    });
    return guard(() => tx.deferred());
  }

  async replace(
    tables: SnapshotTables,
    options: { liveRunOwner: string | null; reason: string; now: number },
  ): Promise<ReplaceResult> {
    this.check(tables);
    const tx = this.db.transaction(() => this.replaceNow(tables, options));
    return guard(() => tx.immediate());
  }

  check(tables: SnapshotTables): void {
    for (const t of TABLES) this.checkColumns(t, tables[t]);
    if (tables.dbSchemaVersion > SCHEMA_VERSION) {
      throw new ValidationError(
        'INVALID_FORMAT',
        `The checkpoint was taken with database schema ${tables.dbSchemaVersion}; this version knows up to ${SCHEMA_VERSION}.`,
        'dbSchemaVersion',
        tables.dbSchemaVersion,
      );
    }
  }

  private replaceNow(
    tables: SnapshotTables,
    options: { liveRunOwner: string | null; reason: string; now: number },
  ): ReplaceResult {
    const db = this.db;
    const { removedMessages, messages } = this.replaceMessages(tables, db);

    // Sessions: upsert in place so the status history of surviving sessions is kept.
    const s = tables.sessions;
    const idAt = s.columns.indexOf('id');
    const statusAt = s.columns.indexOf('status');
    const ids = JSON.stringify(s.rows.map((r) => r[idAt]));
    const removedSessions = db
      .prepare(`DELETE FROM sessions WHERE id NOT IN (SELECT value FROM json_each(?))`)
      .run(ids).changes;
    const before = new Map(
      (db.prepare(`SELECT id, status FROM sessions`).all() as { id: string; status: string }[]).map(
        (r) => [r.id, r.status],
      ),
    );
    // Free every name first: the snapshot may give a name to another session than today.
    db.prepare(`UPDATE sessions SET name = char(1) || id`).run();
    const updates = s.columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
    const upsert = db.prepare(
      `INSERT INTO sessions (${s.columns.join(', ')}) VALUES (${s.columns.map(() => '?').join(', ')})
       ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}`,
    );
    const event = db.prepare(`INSERT INTO session_events (session_id, at, kind, from_status,
      to_status, reason) VALUES (?, ?, ?, ?, ?, ?)`);
    for (const row of s.rows) {
      upsert.run(row);
      const id = row[idAt] as string;
      const from = before.get(id);
      if (from === undefined)
        event.run(id, options.now, 'created', null, row[statusAt], options.reason);
      else if (from !== row[statusAt]) {
        event.run(id, options.now, 'status', from, row[statusAt], options.reason);
      }
    }

    db.prepare(`DELETE FROM workflows`).run();
    this.insertAll('workflows', tables.workflows);

    db.prepare(`DELETE FROM runs`).run();
    const r = tables.runs;
    const [runStatus, runOwner, runId] = ['status', 'owner', 'id'].map((c) => r.columns.indexOf(c));
    const liveRuns: string[] = [];
    const rows = r.rows.map((row) => {
      if (row[runStatus!] !== 'pending' && row[runStatus!] !== 'running') return row;
      liveRuns.push(row[runId!] as string);
      const copy = row.slice();
      copy[runOwner!] = options.liveRunOwner;
      return copy;
    });
    this.insertAll('runs', { columns: r.columns, rows });
    return {
      sessions: s.rows.length,
      messages,
      removedSessions,
      removedMessages,
      liveRuns,
    };
  }

  /**
   * Messages: every row that may differ from the snapshot — not acknowledged, published after it,
   * or one of its own rows (acknowledged since) — is compared with the snapshot's row and only
   * rewritten when it differs. Acknowledged history from before the snapshot is never touched.
   * Most of a queue is unchanged between a checkpoint and its restore, and rewriting a row costs
   * its 8 index entries twice; comparing costs one read.
   */
  private replaceMessages(
    tables: SnapshotTables,
    db: SqliteDb,
  ): { removedMessages: number; messages: number } {
    const m = tables.messages;
    const col = (name: string) => m.columns.indexOf(name);
    const [state, leaseUntil, leaseOwner, seq] = ['state', 'lease_until', 'lease_owner', 'seq'].map(
      col,
    ) as [number, number, number, number];
    const wanted = new Map<number, unknown[]>();
    for (const row of m.rows) {
      if (row[state] === 'leased') {
        // Whoever held the lease belongs to the abandoned timeline: deliver it again.
        const copy = row.slice();
        copy[state] = 'pending';
        copy[leaseUntil] = null;
        copy[leaseOwner] = null;
        wanted.set(row[seq] as number, copy);
      } else wanted.set(row[seq] as number, row);
    }
    const firstSeq = m.rows.length > 0 ? (m.rows[0]![seq] as number) : tables.maxMessageSeq + 1;
    const current = db
      .prepare(
        `SELECT ${m.columns.join(', ')} FROM messages
         WHERE state != 'acknowledged' OR seq > ? OR seq >= ?`,
      )
      .raw(true)
      .iterate(tables.maxMessageSeq, firstSeq) as IterableIterator<unknown[]>;
    const stale: number[] = [];
    for (const row of current) {
      const n = row[seq] as number;
      const want = wanted.get(n);
      if (want === undefined) {
        // Acknowledged before the snapshot and not one of its rows: history, kept as it is.
        if (row[state] === 'acknowledged' && n <= tables.maxMessageSeq) continue;
        stale.push(n);
      } else if (sameRow(row, want)) wanted.delete(n);
      else stale.push(n);
    }
    const remove = db.prepare(`DELETE FROM messages WHERE seq = ?`);
    for (const n of stale) remove.run(n);
    const insert = db.prepare(
      `INSERT INTO messages (${m.columns.join(', ')}) VALUES (${m.columns.map(() => '?').join(', ')})`,
    );
    for (const row of wanted.values()) insert.run(row);
    return { removedMessages: stale.length, messages: m.rows.length };
  }

  private insertAll(table: Table, t: TableRows): void {
    const stmt = this.db.prepare(
      `INSERT INTO ${table} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
    );
    for (const row of t.rows) stmt.run(row);
  }

  /** Column names are interpolated into SQL: only this table's real columns pass. */
  private checkColumns(table: Table, t: TableRows): void {
    const known = this.known.get(table)!;
    const bad = t.columns.find((c) => !known.has(c));
    const required =
      table === 'messages' ? ['seq', 'id', 'state', 'lease_until', 'lease_owner'] : ['id'];
    const missing = required.find((c) => !t.columns.includes(c));
    const ragged = t.rows.find((row) => !Array.isArray(row) || row.length !== t.columns.length);
    if (bad !== undefined || missing !== undefined || ragged !== undefined) {
      throw new ValidationError(
        'INVALID_FORMAT',
        `The checkpoint's ${table} table does not match this database` +
          (bad
            ? ` (unknown column "${bad}")`
            : missing
              ? ` (no column "${missing}")`
              : ' (a row has the wrong length)'),
        table,
      );
    }
  }

  async leasedBy(owner: string): Promise<number> {
    return guard(() => this.s.leasedBy.get(owner)!.n);
  }

  async insert(meta: CheckpointMeta, data: Buffer): Promise<void> {
    guard(() =>
      this.s.insert.run({
        ...meta,
        tags: JSON.stringify(meta.tags),
        automatic: meta.automatic ? 1 : 0,
        summary: JSON.stringify(meta.summary),
        data,
      }),
    );
  }

  async get(id: string): Promise<CheckpointMeta | undefined> {
    const row = guard(() => this.s.get.get(id));
    return row && fromRow(row);
  }

  async data(id: string): Promise<Buffer | undefined> {
    return guard(() => this.s.data.get(id)?.data);
  }

  async list(query: CheckpointQuery): Promise<CheckpointMeta[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.name !== undefined) {
      where.push(`instr(lower(name), lower(?)) > 0`);
      params.push(query.name);
    }
    if (query.tag !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(checkpoints.tags) WHERE value = ?)`);
      params.push(query.tag);
    }
    if (query.from !== undefined) {
      where.push('created_at >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('created_at <= ?');
      params.push(query.to);
    }
    if (query.automatic !== undefined) {
      where.push('automatic = ?');
      params.push(query.automatic ? 1 : 0);
    }
    const sql = `SELECT ${META} FROM checkpoints ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return guard(() =>
      (this.db.prepare(sql).all(...params, query.limit) as MetaRow[]).map(fromRow),
    );
  }

  async delete(id: string): Promise<boolean> {
    const tx = this.db.transaction(() => this.deleteNow(id));
    return guard(() => tx.immediate());
  }

  /** Children descend from the deleted one's parent; a deleted head hands over to its parent. */
  private deleteNow(id: string): boolean {
    const row = this.s.get.get(id);
    if (!row) return false;
    this.s.reparent.run(row.parent_id, id);
    if (this.s.head.get()?.checkpoint_id === id) this.s.setHead.run(row.parent_id);
    return this.s.delete.run(id).changes === 1;
  }

  async prune(before: number): Promise<string[]> {
    const tx = this.db.transaction(() => {
      const ids = this.s.expired.all(before).map((r) => r.id);
      for (const id of ids) this.deleteNow(id);
      return ids;
    });
    return guard(() => tx.immediate());
  }

  async head(): Promise<string | null> {
    return guard(() => this.s.head.get()?.checkpoint_id ?? null);
  }

  async setHead(id: string | null): Promise<void> {
    guard(() => this.s.setHead.run(id));
  }

  async totals() {
    const r = guard(() => this.s.totals.get()!);
    return {
      count: r.count ?? 0,
      automatic: r.automatic ?? 0,
      bytes: r.bytes ?? 0,
      oldest: r.oldest ?? null,
      newest: r.newest ?? null,
    };
  }
}
