/** API tokens (hashed) and the audit log in SQLite. The only SQL engine/security relies on. */
import type { AuditQuery, AuditRecord, AuditStore, TokenRecord, TokenStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';
import { SharedWrites } from './shared-writes';

interface TokenRow {
  id: string;
  hash: string;
  role: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const tokenFromRow = (r: TokenRow): TokenRecord => ({
  id: r.id,
  hash: r.hash,
  role: r.role,
  label: r.label,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export class SqliteTokenStore implements TokenStore {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      insert: db.prepare(`INSERT INTO api_tokens
        (id, hash, role, label, created_at, expires_at, revoked_at, last_used_at)
        VALUES (@id, @hash, @role, @label, @createdAt, @expiresAt, @revokedAt, @lastUsedAt)`),
      byHash: db.prepare<[string], TokenRow>(`SELECT * FROM api_tokens WHERE hash = ?`),
      get: db.prepare<[string], TokenRow>(`SELECT * FROM api_tokens WHERE id = ?`),
      list: db.prepare<[], TokenRow>(`SELECT * FROM api_tokens ORDER BY created_at, id`),
      revoke: db.prepare<[number, string]>(
        `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`,
      ),
      touch: db.prepare<[number, string]>(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`),
    };
  }

  async insert(t: TokenRecord): Promise<void> {
    guard(() => this.s.insert.run({ ...t }));
  }
  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = guard(() => this.s.byHash.get(hash));
    return row && tokenFromRow(row);
  }
  async get(id: string): Promise<TokenRecord | undefined> {
    const row = guard(() => this.s.get.get(id));
    return row && tokenFromRow(row);
  }
  async list(): Promise<TokenRecord[]> {
    return guard(() => this.s.list.all()).map(tokenFromRow);
  }
  async revoke(id: string, at: number): Promise<boolean> {
    return guard(() => this.s.revoke.run(at, id)).changes > 0;
  }
  async touch(id: string, at: number): Promise<void> {
    guard(() => this.s.touch.run(at, id));
  }
}

/**
 * The audit log is stored in blocks: one row per append (a group commit of the AuditLog, up to
 * 1,000 calls), its entries JSON-encoded with what repeats (the caller, the method) stored once.
 * A row per call cost every mutating call about 5 µs of CPU (three B-trees, ~100 bytes a row);
 * a block costs about 1 µs per entry. Entry i of a block has seq first_seq + i. The filter
 * columns hold each block's distinct methods, outcomes and token ids between newlines, so list()
 * decodes only blocks that can match.
 */
interface AuditBlockRow {
  first_seq: number;
  body: string;
}

type AuditEntryRow = [number, number, number, number] | [number, number, number, number, number];

/**
 * A block's body. `a`: the base time; `c`: the callers, [tokenId, role, transport, client];
 * `s`: the strings (methods, outcomes, details); `r`: the entries, [at − a, caller, method,
 * outcome, detail?] as indexes into `c` and `s` (null once pruned, so the others keep their seq).
 */
interface AuditBody {
  a: number;
  c: [string | null, string | null, string, string | null][];
  s: string[];
  r: (AuditEntryRow | null)[];
}

const METHOD = 1;
const OUTCOME = 2;
/** A filter value as the filter columns hold it. */
const mark = (value: string) => `\n${value}\n`;
const marks = (values: Iterable<string>) => `\n${[...values].join('\n')}\n`;

const sameCaller = (x: AuditRecord, y: AuditRecord) =>
  x.tokenId === y.tokenId &&
  x.role === y.role &&
  x.transport === y.transport &&
  x.client === y.client;

function encode(rows: readonly AuditRecord[]) {
  let a = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    if (r.at < a) a = r.at;
    if (r.at > last) last = r.at;
  }
  const body: AuditBody = { a, c: [], s: [], r: [] };
  const index = new Map<string, number>();
  const kinds: number[] = [];
  const str = (v: string, kind: number) => {
    let i = index.get(v);
    if (i === undefined) {
      index.set(v, (i = body.s.push(v) - 1));
      kinds.push(0);
    }
    kinds[i]! |= kind;
    return i;
  };
  // Callers by token id. A connection's rows share their strings, so the comparisons are cheap,
  // and consecutive rows mostly come from the same caller.
  const callers = new Map<string | null, { row: AuditRecord; at: number }[]>();
  const tokens = new Set<string>();
  let prev: AuditRecord | undefined;
  let caller = -1;
  for (const row of rows) {
    if (!prev || !sameCaller(prev, row)) {
      let known = callers.get(row.tokenId);
      if (!known) callers.set(row.tokenId, (known = []));
      let hit = known.find((k) => sameCaller(k.row, row));
      if (!hit) {
        hit = { row, at: body.c.push([row.tokenId, row.role, row.transport, row.client]) - 1 };
        known.push(hit);
        if (row.tokenId !== null) tokens.add(row.tokenId);
      }
      prev = row;
      caller = hit.at;
    }
    const m = str(row.method, METHOD);
    const o = str(row.outcome, OUTCOME);
    body.r.push(
      row.detail === null
        ? [row.at - a, caller, m, o]
        : [row.at - a, caller, m, o, str(row.detail, 0)],
    );
  }
  const of = (kind: number) => marks(body.s.filter((_, i) => kinds[i]! & kind));
  return {
    firstAt: a,
    lastAt: last,
    methods: of(METHOD),
    outcomes: of(OUTCOME),
    tokens: marks(tokens),
    body: JSON.stringify(body),
  };
}

export class SqliteAuditStore implements AuditStore {
  private readonly appendAll;
  private readonly pruneAll;

  constructor(
    private readonly db: SqliteDb,
    private readonly writes: SharedWrites = new SharedWrites(db),
  ) {
    // The last seq, read in the write transaction: another process may append to the same file.
    const lastSeq = db
      .prepare<[], number>(`SELECT last_seq FROM audit_blocks ORDER BY first_seq DESC LIMIT 1`)
      .pluck();
    const insert = db.prepare<unknown[]>(`INSERT INTO audit_blocks
      (first_seq, last_seq, n, first_at, last_at, methods, outcomes, tokens, body)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.appendAll = db.transaction((rows: readonly AuditRecord[]) => {
      const first = (lastSeq.get() ?? 0) + 1;
      const b = encode(rows);
      insert.run(
        first,
        first + rows.length - 1,
        rows.length,
        b.firstAt,
        b.lastAt,
        b.methods,
        b.outcomes,
        b.tokens,
        b.body,
      );
    });
    const count = db
      .prepare<[number, number], number>(
        `SELECT coalesce(sum(n), 0) FROM audit_blocks WHERE first_at < ? AND last_at < ?`,
      )
      .pluck();
    const drop = db.prepare<[number, number]>(
      `DELETE FROM audit_blocks WHERE first_at < ? AND last_at < ?`,
    );
    const straddling = db.prepare<[number], AuditBlockRow>(
      `SELECT first_seq, body FROM audit_blocks WHERE first_at < ?`,
    );
    const rewrite = db.prepare<[number, number, string, number]>(
      `UPDATE audit_blocks SET n = ?, first_at = ?, body = ? WHERE first_seq = ?`,
    );
    // Whole blocks older than `before` go; a block that straddles it loses its older entries.
    this.pruneAll = db.transaction((before: number) => {
      let removed = count.get(before, before) ?? 0;
      drop.run(before, before);
      for (const block of straddling.all(before)) {
        const body = JSON.parse(block.body) as AuditBody;
        let n = 0;
        let firstAt = Infinity;
        body.r = body.r.map((r) => {
          if (r === null) return null;
          const at = body.a + r[0];
          if (at < before) {
            removed++;
            return null;
          }
          n++;
          firstAt = Math.min(firstAt, at);
          return r;
        });
        rewrite.run(n, firstAt, JSON.stringify(body), block.first_seq);
      }
      return removed;
    });
  }

  /**
   * Rides in the next write transaction (see SharedWrites; in a busy bus, the next publish
   * commit): a transaction of its own per flush cost about as much as the rows it wrote.
   * Resolves once that transaction is committed.
   */
  async append(rows: readonly AuditRecord[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.writes.defer(this.appendAll, rows);
    } catch (error) {
      guard(() => {
        throw error;
      });
    }
  }

  async list(q: AuditQuery): Promise<(AuditRecord & { seq: number })[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('first_seq < ?', q.beforeSeq);
    add('last_at >= ?', q.since);
    add('instr(methods, ?) > 0', q.method === undefined ? undefined : mark(q.method));
    add('instr(outcomes, ?) > 0', q.outcome === undefined ? undefined : mark(q.outcome));
    add('instr(tokens, ?) > 0', q.tokenId === undefined ? undefined : mark(q.tokenId));
    const sql =
      `SELECT first_seq, body FROM audit_blocks ` +
      `${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY first_seq DESC`;
    const out: (AuditRecord & { seq: number })[] = [];
    guard(() => {
      // Newest block first, newest entry first, until the page is full.
      for (const block of this.db.prepare<unknown[], AuditBlockRow>(sql).iterate(...args)) {
        const body = JSON.parse(block.body) as AuditBody;
        for (let i = body.r.length - 1; i >= 0; i--) {
          const r = body.r[i];
          if (!r) continue;
          const seq = block.first_seq + i;
          const at = body.a + r[0];
          const [tokenId, role, transport, client] = body.c[r[1]]!;
          const method = body.s[r[2]]!;
          const outcome = body.s[r[3]]!;
          if (
            (q.beforeSeq !== undefined && seq >= q.beforeSeq) ||
            (q.since !== undefined && at < q.since) ||
            (q.method !== undefined && method !== q.method) ||
            (q.outcome !== undefined && outcome !== q.outcome) ||
            (q.tokenId !== undefined && tokenId !== q.tokenId)
          ) {
            continue;
          }
          const detail = r[4] === undefined ? null : body.s[r[4]]!;
          out.push({ seq, at, tokenId, role, transport, method, outcome, detail, client });
          if (out.length >= q.limit) return;
        }
      }
    });
    return out;
  }

  async prune(before: number): Promise<number> {
    return guard(() => this.pruneAll.immediate(before));
  }
}
