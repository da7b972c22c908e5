/**
 * The two references issue 5 names, measured in the same run as the engine so the goal can be read
 * as a ratio on whatever host runs the bench. Both run in one process on their own copy of the
 * bench's database, with no checksum and no validation, as the issue describes them:
 * - `json+gzip`: the state rows read in one transaction, JSON.stringify, gzip, stored as one blob;
 *   restored by gunzip, JSON.parse and one transaction of row inserts. Given its best shot: rows as
 *   arrays (objects with 24 keys took 3× as long to read and 2× as long to stringify) and gzip's
 *   fastest level (level 6 took 2.5× as long).
 * - `sql copy`: INSERT … SELECT into checkpoint tables in the same database, and back.
 * The state is what a checkpoint holds: sessions, workflows, runs, and every message not yet
 * acknowledged.
 */
import Database from 'better-sqlite3';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

const TABLES = ['sessions', 'workflows', 'runs', 'messages'] as const;
type Table = (typeof TABLES)[number];

const UNSETTLED = `state IN ('pending', 'leased', 'dead')`;
const rowsOf = (table: Table) =>
  `SELECT * FROM main.${table}${table === 'messages' ? ` WHERE ${UNSETTLED}` : ''}`;

export interface Reference {
  name: string;
  create(): void;
  restore(): void;
  /** The stored bytes of the last create. */
  sizeBytes(): number;
}

/** Opens `path` as the engine does (WAL, synchronous NORMAL). */
export function openCopy(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

function columnsOf(db: Database.Database, table: Table): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/**
 * Puts `table`'s checkpointed rows back from `source` (VALUES or a SELECT): messages not yet
 * acknowledged are cleared first; every row is upserted (a message acknowledged since the
 * checkpoint still holds its seq, and deleting a session would cascade to its history).
 */
function replaceSql(
  db: Database.Database,
  table: Table,
  source: string,
): { clear?: string; insert: string } {
  const columns = columnsOf(db, table);
  const key = table === 'messages' ? 'seq' : 'id';
  const set = columns
    .filter((c) => c !== key)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  // An upsert's SELECT needs a WHERE: without one, ON reads as a join constraint.
  const from = source.startsWith('SELECT') ? `${source} WHERE true` : source;
  return {
    clear: table === 'messages' ? `DELETE FROM main.messages WHERE ${UNSETTLED}` : undefined,
    insert: `INSERT INTO main.${table} (${columns.join(', ')}) ${from}
      ON CONFLICT(${key}) DO UPDATE SET ${set}`,
  };
}

export function jsonGzip(db: Database.Database): Reference {
  let blob = Buffer.alloc(0);
  db.exec('CREATE TABLE IF NOT EXISTS ref_json_checkpoints (id INTEGER PRIMARY KEY, data BLOB)');
  const store = db.prepare('INSERT INTO ref_json_checkpoints (data) VALUES (?)');
  const last = db.prepare('SELECT data FROM ref_json_checkpoints ORDER BY id DESC LIMIT 1');
  const read = TABLES.map((t) => [t, db.prepare(rowsOf(t)).raw()] as const);
  const writes = TABLES.map((t) => {
    const columns = columnsOf(db, t);
    const sql = replaceSql(db, t, `VALUES (${columns.map(() => '?').join(', ')})`);
    return {
      table: t,
      clear: sql.clear ? db.prepare(sql.clear) : undefined,
      insert: db.prepare(sql.insert),
    };
  });
  return {
    name: 'json+gzip',
    create: () => {
      const state = db.transaction(() => Object.fromEntries(read.map(([t, s]) => [t, s.all()])))();
      blob = gzipSync(JSON.stringify(state), { level: constants.Z_BEST_SPEED });
      store.run(blob);
    },
    restore: () => {
      const { data } = last.get() as { data: Buffer };
      const state = JSON.parse(gunzipSync(data).toString()) as Record<Table, unknown[][]>;
      db.transaction(() => {
        for (const w of writes) {
          w.clear?.run();
          for (const row of state[w.table]) w.insert.run(...row);
        }
      })();
    },
    sizeBytes: () => blob.length,
  };
}

export function sqlCopy(db: Database.Database): Reference {
  const copy = (t: Table) => `ref_copy_${t}`;
  for (const t of TABLES) db.exec(`CREATE TABLE IF NOT EXISTS ${copy(t)} AS ${rowsOf(t)} LIMIT 0`);
  const create = db.transaction(() => {
    for (const t of TABLES) {
      db.exec(`DELETE FROM ${copy(t)}`);
      db.exec(`INSERT INTO ${copy(t)} ${rowsOf(t)}`);
    }
  });
  const restore = db.transaction(() => {
    for (const t of TABLES) {
      const sql = replaceSql(db, t, `SELECT * FROM ${copy(t)}`);
      if (sql.clear) db.exec(sql.clear);
      db.exec(sql.insert);
    }
  });
  return {
    name: 'sql copy',
    create: () => create.immediate(),
    restore: () => restore.immediate(),
    sizeBytes: () => {
      const pages = db
        .prepare(`SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'ref_copy_%'`)
        .pluck()
        .get() as number | null;
      return pages ?? 0;
    },
  };
}
