/** API tokens (hashed) and the audit log in SQLite. The only SQL engine/security relies on. */
import type { AuditQuery, AuditRecord, AuditStore, TokenRecord, TokenStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';

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

export class SqliteAuditStore implements AuditStore {
  private readonly insert;
  private readonly appendAll;
  private readonly pruneStmt;

  constructor(private readonly db: SqliteDb) {
    this.insert = db.prepare(`INSERT INTO audit_log
      (at, token_id, role, transport, method, outcome, detail, client)
      VALUES (@at, @tokenId, @role, @transport, @method, @outcome, @detail, @client)`);
    this.appendAll = db.transaction((rows: readonly AuditRecord[]) => {
      for (const row of rows) this.insert.run({ ...row });
    });
    this.pruneStmt = db.prepare<[number]>(`DELETE FROM audit_log WHERE at < ?`);
  }

  async append(rows: readonly AuditRecord[]): Promise<void> {
    if (rows.length === 0) return;
    guard(() => this.appendAll.immediate(rows));
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
