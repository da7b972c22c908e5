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

interface AuditRow {
  seq: number;
  at: number;
  token_id: string | null;
  role: string | null;
  transport: string;
  method: string;
  outcome: string;
  detail: string | null;
  client: string | null;
}

/** Rows per multi-row INSERT (8 columns each, well under SQLite's 32,766 parameters). */
const AUDIT_CHUNK = 64;

export class SqliteAuditStore implements AuditStore {
  private readonly insert;
  private readonly appendAll;
  private readonly pruneStmt;

  constructor(
    private readonly db: SqliteDb,
    private readonly writes: SharedWrites = new SharedWrites(db),
  ) {
    // Positional binding, AUDIT_CHUNK rows per statement: the audit log takes one row per
    // mutating call, so its per-row cost is part of every publish's.
    const insert = (n: number) =>
      db.prepare<unknown[]>(
        `INSERT INTO audit_log (at, token_id, role, transport, method, outcome, detail, client)
        VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
    this.insert = insert(1);
    const chunk = insert(AUDIT_CHUNK);
    const values = (rows: readonly AuditRecord[], from: number, to: number) => {
      const out: unknown[] = [];
      for (let i = from; i < to; i++) {
        const r = rows[i]!;
        out.push(r.at, r.tokenId, r.role, r.transport, r.method, r.outcome, r.detail, r.client);
      }
      return out;
    };
    this.appendAll = db.transaction((rows: readonly AuditRecord[]) => {
      let i = 0;
      for (; i + AUDIT_CHUNK <= rows.length; i += AUDIT_CHUNK) {
        chunk.run(...values(rows, i, i + AUDIT_CHUNK));
      }
      for (; i < rows.length; i++) this.insert.run(...values(rows, i, i + 1));
    });
    this.pruneStmt = db.prepare<[number]>(`DELETE FROM audit_log WHERE at < ?`);
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
    add('at >= ?', q.since);
    add('seq < ?', q.beforeSeq);
    add('method = ?', q.method);
    add('outcome = ?', q.outcome);
    add('token_id = ?', q.tokenId);
    const sql =
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY seq DESC LIMIT ?`;
    const rows = guard(() => this.db.prepare<unknown[], AuditRow>(sql).all(...args, q.limit));
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      tokenId: r.token_id,
      role: r.role,
      transport: r.transport,
      method: r.method,
      outcome: r.outcome,
      detail: r.detail,
      client: r.client,
    }));
  }

  async prune(before: number): Promise<number> {
    return guard(() => this.pruneStmt.run(before)).changes;
  }
}
