/**
 * Checkpoints in SQLite: the snapshot is read in one (deferred) transaction and a restore
 * replaces the state in one IMMEDIATE transaction. Checkpoint blobs live in their own table;
 * listing never reads them.
 *
 * Messages travel as a SQLite database image (one table `m`, seq as its key): the snapshot copies
 * them with INSERT … SELECT into an attached in-memory database and serialises its pages, and a
 * restore attaches the image again and compares and copies in SQL. No message becomes a
 * JavaScript value on either path, which is what made large queues slow (reading 100k rows into
 * arrays or parsing them from JSON cost several times the copy itself).
 *
 * The image's table declares the same column types and defaults as `messages` (no constraints):
 * then `INSERT INTO m SELECT * FROM messages` is SQLite's transfer optimisation, which copies each
 * row's record as it is instead of decoding and re-encoding its 24 columns (half the copy's cost).
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../../../src-shared/errors';
import type {
  CompressionSpec,
  CheckpointMeta,
  CheckpointQuery,
  CheckpointStore,
  ReplaceOptions,
  ReplaceResult,
  SnapshotTables,
  TableRows,
} from '../port';
import type { SqliteDb } from './database';
import { guard, RECEIVER_AS_ADDRESSED } from './messages';
import { SCHEMA_VERSION } from './migrations';
import { runPlan, type PlanResults, type PlanStep, type SnapshotPlan } from './snapshot-plan';
import { WorkerGone, type SnapshotWorker } from './snapshot-worker';

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

type Table = 'sessions' | 'workflows' | 'runs' | 'messages';
const TABLES: readonly Table[] = ['sessions', 'workflows', 'runs', 'messages'];

/**
 * Where a restore writes the image it attaches: RAM-backed when the system has it (the file only
 * lives for the restore; on a disk it competes with every other writer for the page cache).
 */
const RESTORE_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** The schema names the packed messages use while attached. */
const PACK = 'checkpoint_pack';
const RESTORE = 'checkpoint_restore';

/**
 * The message columns the bus changes after publishing (sqlite/messages.ts; a test reads its
 * UPDATE statements to keep this list whole). A restore compares only these and the id.
 */
export const MESSAGE_MUTABLE_COLUMNS: readonly string[] = [
  'state',
  'attempts',
  'available_at',
  'lease_until',
  'lease_owner',
  'delivered_at',
  'acknowledged_at',
  'failure_reason',
  'receiver_id',
  'dead_at',
];

/** The page size of a packed image: 6× fewer pages to copy and serialise than 4 KB, and 4 % smaller. */
const PACK_PAGE_SIZE = 65_536;

interface ColumnInfo {
  name: string;
  type: string;
  dflt_value: string | null;
}

/**
 * The one table of a packed messages image: each column with the type and default `messages`
 * gives it, which the transfer optimisation requires (images before it have bare column names).
 */
function packTable(columns: readonly ColumnInfo[]): string {
  const column = (c: ColumnInfo) =>
    c.name === 'seq'
      ? 'seq INTEGER PRIMARY KEY'
      : [c.name, c.type, c.dflt_value === null ? '' : `DEFAULT ${c.dflt_value}`]
          .filter(Boolean)
          .join(' ');
  return `CREATE TABLE m (${columns.map(column).join(', ')})`;
}

/** A column of an image's table as packTable writes it (or bare, as images before typed ones). */
const PACK_COLUMN = /^([a-z_]+)(?: (?:TEXT|INTEGER|REAL|BLOB))?(?: DEFAULT (?:-?\d+|'[^',]*'))?$/;

/**
 * True when `sql` declares exactly these columns in this order, seq as the key, each at most typed
 * and defaulted: no constraint, collation or generated column can come with an image.
 */
function isPackTable(sql: string, columns: readonly string[]): boolean {
  const match = /^CREATE TABLE m \((.*)\)$/s.exec(sql);
  const defs = match?.[1]!.split(', ') ?? [];
  return (
    defs.length === columns.length &&
    defs.every((d, i) =>
      columns[i] === 'seq'
        ? d === 'seq INTEGER PRIMARY KEY'
        : PACK_COLUMN.exec(d)?.[1] === columns[i],
    )
  );
}

/**
 * The first two pages of an image, as an image of two pages: page 1 holds the schema and the
 * header, page 2 is the table's root in every image (its first and only table). Opening these
 * reads the schema without copying tens of MB of rows into a database of their own.
 */
function schemaPages(parts: readonly Buffer[]): Buffer {
  const first = parts[0] ?? Buffer.alloc(0);
  if (first.length < 100) throw new Error('shorter than a database header');
  const size = first.readUInt16BE(16) === 1 ? 65_536 : first.readUInt16BE(16);
  const head = first.length >= 2 * size ? first : Buffer.concat(parts);
  const pages = Buffer.from(head.subarray(0, 2 * size));
  pages.writeUInt32BE(2, 28); // the header's page count
  return pages;
}

/**
 * From the first message's seq to the last one's: at least as many as there are rows. Two seeks
 * (min and max in one SELECT would scan the table).
 */
const SPAN = `coalesce((SELECT max(seq) FROM main.messages)
  - (SELECT min(seq) FROM main.messages) + 1, 0)`;

const STATES = ['pending', 'leased', 'dead', 'acknowledged'] as const;

/**
 * The messages in each state, acknowledged ones from seq `from` (an SQL expression) on. Counted
 * apart so each count reads its state's partial index, not every row.
 */
const countStates = (from: string) => `SELECT
  (SELECT count(*) FROM main.messages WHERE state = 'pending') AS pending,
  (SELECT count(*) FROM main.messages WHERE state = 'leased') AS leased,
  (SELECT count(*) FROM main.messages WHERE state = 'dead') AS dead,
  (SELECT count(*) FROM main.messages WHERE seq >= ${from} AND state = 'acknowledged') AS acknowledged`;

function invalidPack(detail: string): ValidationError {
  return new ValidationError(
    'INVALID_FORMAT',
    `The checkpoint's messages are malformed: ${detail}.`,
    'messages',
  );
}

export class SqliteCheckpointStore implements CheckpointStore {
  readonly dbSchemaVersion = SCHEMA_VERSION;
  private readonly s;
  private readonly known = new Map<Table, Set<string>>();
  private readonly messageColumns: ColumnInfo[];
  /** Images whose schema was checked already (a restore checks before and in replace). */
  private readonly checked = new WeakSet<Buffer[]>();

  /**
   * `messagesReplaced`: told after a restore rewrote the messages table (its queue size changed).
   * `worker`: takes compressed snapshots off the event loop (a database file only).
   */
  constructor(
    private readonly db: SqliteDb,
    private readonly messagesReplaced: () => void = () => {},
    private readonly worker?: SnapshotWorker,
  ) {
    const info = (t: Table) => db.prepare(`PRAGMA table_info(${t})`).all() as ColumnInfo[];
    for (const t of TABLES) this.known.set(t, new Set(info(t).map((c) => c.name)));
    this.messageColumns = info('messages');
    this.s = {
      states: db.prepare<[number], Record<string, number>>(countStates('?')),
      span: db.prepare<[], { n: number }>(`SELECT ${SPAN} AS n`),
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

  warm(): void {
    this.worker?.warm();
  }

  async snapshot(
    options: { acknowledgedFromSeq?: number; messages?: boolean; compress?: CompressionSpec } = {},
  ): Promise<SnapshotTables> {
    const plan = this.plan(options);
    const worker = this.worker;
    if (
      plan.serialize &&
      options.compress &&
      worker?.available &&
      this.s.span.get()!.n >= worker.fromRows
    ) {
      const taken = await worker.run(plan, options.compress).catch((error: unknown) => {
        // The thread died under it: this snapshot (and the next ones) is taken here instead.
        if (error instanceof WorkerGone) return undefined;
        return guard(() => {
          throw error;
        });
      });
      if (taken) {
        const tables = this.tablesFrom(taken.results);
        tables.messages.compressed = {
          codec: options.compress.codec,
          chunks: taken.chunks,
          bytes: taken.bytes,
        };
        return tables;
      }
    }
    return guard(() => {
      const { results, image } = runPlan(this.db, plan);
      const tables = this.tablesFrom(results);
      if (image) tables.messages.packed = [image];
      return tables;
    });
  }

  /**
   * The snapshot's SQL: sessions, workflows and runs as rows; the message counts; and unless
   * `messages` is false, the messages kept (unacknowledged, and acknowledged from `ackFrom` on)
   * copied into an attached image. Acknowledged history the image leaves out: when it is at most
   * half of what the image keeps, every row is transferred as it is and the history deleted from
   * the image after; otherwise only the kept rows are read, each decoded and encoded again
   * (measured on 100k rows: the transfer wins at 1 history row to 3 or 4 kept, the filtered copy
   * at 1 to 1). The history is taken as the seqs' span less the rows kept (SPAN: two seeks,
   * where counting the rows read a whole index, 5–10 ms at 100k on a worker's cold cache). Gaps
   * only make the span larger, so a span no larger than the rows kept means there is no history.
   */
  private plan(options: { acknowledgedFromSeq?: number; messages?: boolean }): SnapshotPlan {
    // The first seq whose acknowledged rows are kept; by default none (past the newest message).
    const from = `coalesce(?, (SELECT coalesce(max(seq), 0) + 1 FROM main.messages))`;
    const ackFrom = [options.acknowledgedFromSeq ?? null];
    const steps: PlanStep[] = [
      { kind: 'rows', as: 'sessions', sql: `SELECT * FROM main.sessions ORDER BY created_at, id` },
      { kind: 'rows', as: 'workflows', sql: `SELECT * FROM main.workflows ORDER BY id` },
      { kind: 'rows', as: 'runs', sql: `SELECT * FROM main.runs ORDER BY created_at, id` },
      { kind: 'get', as: 'maxSeq', sql: `SELECT coalesce(max(seq), 0) AS n FROM main.messages` },
      // The counts, taken once, and how the image is copied given them.
      {
        kind: 'get',
        as: 'states',
        args: ackFrom,
        sql: `SELECT ${STATES.join(', ')}, history * 2 <= kept AS whole,
            history * 2 > kept AS filtered, history * 2 <= kept AND history > 0 AS prune
          FROM (SELECT *, ${SPAN} - kept AS history
            FROM (SELECT *, ${STATES.join(' + ')} AS kept FROM (${countStates(from)})))`,
      },
    ];
    if (options.messages === false) return { steps };
    const columns = this.messageColumns.map((c) => c.name).join(', ');
    steps.push(
      { kind: 'run', sql: packTable(this.messageColumns).replace('TABLE m', `TABLE ${PACK}.m`) },
      { kind: 'run', if: 'states.whole', sql: `INSERT INTO ${PACK}.m SELECT * FROM main.messages` },
      {
        kind: 'run',
        if: 'states.prune',
        args: ackFrom,
        sql: `DELETE FROM ${PACK}.m WHERE state = 'acknowledged' AND seq < ${from}`,
      },
      {
        kind: 'run',
        if: 'states.filtered',
        args: ackFrom,
        sql: `INSERT INTO ${PACK}.m SELECT ${columns} FROM main.messages
          WHERE state != 'acknowledged' OR seq >= ${from}`,
      },
      { kind: 'get', as: 'first', sql: `SELECT min(seq) AS n FROM ${PACK}.m` },
    );
    return { attach: { schema: PACK, pageSize: PACK_PAGE_SIZE }, steps, serialize: true };
  }

  private tablesFrom(results: PlanResults): SnapshotTables {
    const first = (results.first as { n: number | null } | undefined)?.n ?? null;
    return {
      dbSchemaVersion: SCHEMA_VERSION,
      maxMessageSeq: (results.maxSeq as { n: number }).n,
      sessions: results.sessions as TableRows,
      workflows: results.workflows as TableRows,
      runs: results.runs as TableRows,
      messages: {
        columns: this.messageColumns.map((c) => c.name),
        rows: [],
        states: Object.fromEntries(
          STATES.map((state) => [state, (results.states as Record<string, number>)[state]!]),
        ),
        ...(first !== null && { firstSeq: first }),
      },
    };
  }

  async replace(tables: SnapshotTables, options: ReplaceOptions): Promise<ReplaceResult> {
    this.check(tables);
    const tx = this.db.transaction(() => this.replaceNow(tables, options));
    try {
      return guard(() => this.attached(tables.messages, () => tx.immediate()));
    } finally {
      this.messagesReplaced();
    }
  }

  async copyHistoryInto(databasePath: string, upToSeq: number): Promise<number> {
    const columns = this.messageColumns.map((c) => `"${c.name}"`).join(', ');
    // Between transactions (this runs in one synchronous block), so ATTACH is allowed.
    this.db.prepare('ATTACH DATABASE ? AS fork').run(databasePath);
    try {
      const { changes } = this.db
        .prepare(
          `INSERT OR IGNORE INTO fork.messages (${columns})
           SELECT ${columns} FROM main.messages WHERE seq <= ? AND state = 'acknowledged'`,
        )
        .run(upToSeq);
      return changes;
    } finally {
      this.db.prepare('DETACH DATABASE fork').run();
    }
  }

  check(tables: SnapshotTables, options: { thorough?: boolean } = {}): void {
    for (const t of TABLES) this.checkColumns(t, tables[t]);
    const { packed, columns } = tables.messages;
    if (packed) this.checkPack(packed, columns, tables.messages.states, options.thorough ?? false);
    if (tables.dbSchemaVersion > SCHEMA_VERSION) {
      throw new ValidationError(
        'INVALID_FORMAT',
        `The checkpoint was taken with database schema ${tables.dbSchemaVersion}; this version knows up to ${SCHEMA_VERSION}.`,
        'dbSchemaVersion',
        tables.dbSchemaVersion,
      );
    }
  }

  private replaceNow(tables: SnapshotTables, options: ReplaceOptions): ReplaceResult {
    const db = this.db;
    const { removedMessages, messages } = this.replaceMessages(tables, db, options.takenAt);

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
    if (options.head !== undefined) this.s.setHead.run(options.head);
    return {
      sessions: s.rows.length,
      messages,
      removedSessions,
      removedMessages,
      liveRuns,
    };
  }

  /**
   * Messages (the checkpoint's are attached as RESTORE.m): what was published after the checkpoint
   * goes; each of the checkpoint's rows is inserted when missing and rewritten only when it differs
   * (most of a queue is unchanged between a checkpoint and its restore, and a rewrite costs its
   * index entries); unacknowledged rows the checkpoint does not have go, unless they are older
   * than it (acknowledged then: acknowledged again). Acknowledged history from before the
   * checkpoint is never touched.
   */
  private replaceMessages(
    tables: SnapshotTables,
    db: SqliteDb,
    takenAt: number,
  ): { removedMessages: number; messages: number } {
    const { columns } = tables.messages;
    // Whoever held a lease belongs to the abandoned timeline: the message is delivered again.
    const wanted = (c: string) =>
      c === 'state'
        ? `CASE c.state WHEN 'leased' THEN 'pending' ELSE c.state END`
        : c === 'lease_until' || c === 'lease_owner'
          ? `CASE c.state WHEN 'leased' THEN NULL ELSE c.${c} END`
          : `c.${c}`;
    let removedMessages = db
      .prepare(`DELETE FROM main.messages WHERE seq > ?`)
      .run(tables.maxMessageSeq).changes;
    // A message's id fixes every column the bus never changes after publishing it. Rows are
    // compared in the SELECT (a join reads only the compared columns) so an unchanged row is
    // never built or offered to the upsert.
    const same = columns
      .filter((c) => c === 'id' || MESSAGE_MUTABLE_COLUMNS.includes(c))
      .map((c) => `m.${c} IS ${wanted(c)}`)
      .join(' AND ');
    const upsert = db.prepare(
      `INSERT INTO main.messages (${columns.join(', ')})
       SELECT ${columns.map(wanted).join(', ')}
       FROM ${RESTORE}.m c LEFT JOIN main.messages m ON m.seq = c.seq
       WHERE m.seq IS NULL OR NOT (${same})
       ON CONFLICT(seq) DO UPDATE SET
         ${columns
           .filter((c) => c !== 'seq')
           .map((c) => `${c} = excluded.${c}`)
           .join(', ')}`,
    );
    try {
      upsert.run();
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      // A message of the checkpoint sits at another seq today: a restore handed its seq to
      // another message and its id was published again (an idempotency key sent once more).
      // That copy belongs to the abandoned timeline. Looking every id up costs a restore tens of
      // ms, so only when the upsert (rolled back, the transaction still open) ran into one.
      removedMessages += db
        .prepare(
          `DELETE FROM main.messages WHERE seq IN (SELECT o.seq FROM ${RESTORE}.m c
             JOIN main.messages o ON o.id = c.id WHERE o.seq != c.seq)`,
        )
        .run().changes;
      upsert.run();
    }
    // Every row of the checkpoint is in place now: any more unacknowledged rows than it has are
    // rows it does not have. Counting (the live ones through their partial indexes) lets a restore
    // that removes none skip looking each row up in the checkpoint.
    const { image, count } = this.imageCounts(tables.messages);
    const live = this.s.states.get(tables.maxMessageSeq + 1)!;
    if (live.pending! + live.leased! + live.dead! > image) {
      const missing = `state != 'acknowledged'
        AND NOT EXISTS (SELECT 1 FROM ${RESTORE}.m c WHERE c.seq = messages.seq)`;
      // Older than the snapshot, so it existed then, outside the image: it was acknowledged (a
      // restore of an earlier checkpoint in between made it pending again). When exactly is not
      // in the checkpoint; by the time it was taken is.
      db.prepare(
        `UPDATE main.messages SET state = 'acknowledged',
           acknowledged_at = coalesce(acknowledged_at, ?), lease_until = NULL, lease_owner = NULL
         WHERE ${missing} AND created_at <= ?`,
      ).run(takenAt, takenAt);
      removedMessages += db.prepare(`DELETE FROM main.messages WHERE ${missing}`).run().changes;
    }
    return { removedMessages, messages: count };
  }

  /**
   * The checkpoint's unacknowledged and total message rows: the counts the snapshot took in its
   * transaction (a thorough check holds them to the image), else counted in the attached image.
   */
  private imageCounts(messages: TableRows): { image: number; count: number } {
    const s = messages.states;
    if (s) {
      const image = (s.pending ?? 0) + (s.leased ?? 0) + (s.dead ?? 0);
      return { image, count: image + (s.acknowledged ?? 0) };
    }
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM ${RESTORE}.m WHERE state != 'acknowledged') AS image,
          (SELECT count(*) FROM ${RESTORE}.m) AS count`,
      )
      .get() as { image: number; count: number };
  }

  /**
   * Runs `fn` with the snapshot's messages attached as RESTORE.m: a packed image through a
   * temporary file (SQLite attaches files, not buffers), rows of an older checkpoint format
   * through an in-memory table. ATTACH cannot run inside a transaction, so this wraps it.
   */
  private attached<T>(messages: TableRows, fn: () => T): T {
    const dir = messages.packed ? mkdtempSync(join(RESTORE_DIR, 'orch-restore-')) : null;
    try {
      if (dir) {
        const file = join(dir, 'messages.db');
        const fd = openSync(file, 'w');
        try {
          for (const part of messages.packed!) {
            for (let at = 0; at < part.length;) at += writeSync(fd, part, at);
          }
        } finally {
          closeSync(fd);
        }
        this.db.prepare(`ATTACH ? AS ${RESTORE}`).run(file);
        // Room for every page: a restore reads each page once and looks rows up across all of them.
        const bytes = messages.packed!.reduce((n, part) => n + part.length, 0);
        this.db.exec(`PRAGMA ${RESTORE}.cache_size = -${Math.ceil(bytes / 1024)}`);
      } else {
        this.db.exec(`ATTACH ':memory:' AS ${RESTORE}`);
        const columns = this.messageColumns.filter((c) => messages.columns.includes(c.name));
        this.db.exec(packTable(columns).replace('TABLE m', `TABLE ${RESTORE}.m`));
        const insert = this.db.prepare(
          `INSERT INTO ${RESTORE}.m (${messages.columns.join(', ')})
           VALUES (${messages.columns.map(() => '?').join(', ')})`,
        );
        this.db.transaction(() => {
          for (const row of messages.rows) insert.run(row);
        })();
      }
      try {
        return fn();
      } finally {
        this.db.exec(`DETACH ${RESTORE}`);
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * The image holds exactly the table `m` with these columns, and (thorough) its b-trees are sound
   * and its rows in each state as many as the checkpoint lists (a restore relies on the counts).
   */
  private checkPack(
    packed: Buffer[],
    columns: string[],
    states: Record<string, number> | undefined,
    thorough: boolean,
  ): void {
    if (!thorough && this.checked.has(packed)) return;
    let image: Database.Database;
    try {
      image = new Database(thorough ? Buffer.concat(packed) : schemaPages(packed));
    } catch (error) {
      throw invalidPack((error as Error).message);
    }
    try {
      const schema = image.prepare(`SELECT type, name, sql FROM sqlite_schema`).all() as {
        type: string;
        name: string;
        sql: string;
      }[];
      if (schema.length !== 1 || !isPackTable(schema[0]!.sql, columns)) {
        throw invalidPack('not the one table of message rows this checkpoint lists');
      }
      // ATTACH refuses another text encoding than the main database's.
      if (image.pragma('encoding', { simple: true }) !== 'UTF-8') {
        throw invalidPack('not UTF-8');
      }
      if (thorough) {
        const result = image.pragma('quick_check', { simple: true }) as string;
        if (result !== 'ok') throw invalidPack(result);
        const counted = image
          .prepare(`SELECT state, count(*) AS n FROM m GROUP BY state`)
          .all() as { state: string; n: number }[];
        const listed = Object.entries(states ?? {}).filter(([, n]) => n > 0);
        if (
          states &&
          (counted.length !== listed.length || counted.some((c) => states[c.state] !== c.n))
        ) {
          throw invalidPack('its rows do not match the counts it lists');
        }
      }
      this.checked.add(packed);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw invalidPack((error as Error).message);
    } finally {
      image.close();
    }
  }

  unpack(table: TableRows): unknown[][] {
    if (!table.packed) return table.rows;
    const image = new Database(Buffer.concat(table.packed), { readonly: true });
    const read = (c: string) =>
      c === 'receiver' && table.columns.includes('receiver_id')
        ? `${RECEIVER_AS_ADDRESSED} AS receiver`
        : c;
    try {
      return image
        .prepare(`SELECT ${table.columns.map(read).join(', ')} FROM m ORDER BY seq`)
        .raw(true)
        .all() as unknown[][];
    } finally {
      image.close();
    }
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

  async insert(
    meta: CheckpointMeta,
    data: Buffer,
    options: { head?: boolean } = {},
  ): Promise<void> {
    const tx = this.db.transaction(() => {
      this.s.insert.run({
        ...meta,
        tags: JSON.stringify(meta.tags),
        automatic: meta.automatic ? 1 : 0,
        summary: JSON.stringify(meta.summary),
        data,
      });
      if (options.head) this.s.setHead.run(meta.id);
    });
    guard(() => tx.immediate());
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
