import { DatabaseError, ValidationError } from '../../../../src-shared/errors';
import type { SessionStatus, SessionType } from '../../../../src-shared/domain';
import type { SessionChange, SessionEventRecord, SessionRecord, SessionStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';

interface SessionRow {
  id: string;
  type: SessionType;
  name: string;
  workspace: string | null;
  status: SessionStatus;
  state: string;
  metadata: string;
  timeout_ms: number;
  created_at: number;
  updated_at: number;
  last_heartbeat_at: number | null;
  error: string | null;
}

interface EventRow {
  seq: number;
  session_id: string;
  at: number;
  kind: SessionEventRecord['kind'];
  from_status: SessionStatus | null;
  to_status: SessionStatus | null;
  reason: string | null;
}

// Listed positively so the count is an index range, not a scan of every session ever made.
const LIVE = `status IN ('initializing', 'active', 'idle', 'error')`;

function fromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    workspace: row.workspace,
    status: row.status,
    state: JSON.parse(row.state) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    error: row.error,
  };
}

export class SqliteSessionStore implements SessionStore {
  private readonly s;

  constructor(private readonly db: SqliteDb) {
    this.s = {
      insert:
        db.prepare(`INSERT INTO sessions (id, type, name, workspace, status, state, metadata, timeout_ms,
          created_at, updated_at, last_heartbeat_at, error)
        VALUES (@id, @type, @name, @workspace, @status, @state, @metadata, @timeoutMs, @createdAt, @updatedAt,
          @lastHeartbeatAt, @error)`),
      live: db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sessions WHERE ${LIVE}`),
      byName: db.prepare<[string], SessionRow>(`SELECT * FROM sessions WHERE name = ?`),
      byId: db.prepare<[string], SessionRow>(`SELECT * FROM sessions WHERE id = ?`),
      event:
        db.prepare(`INSERT INTO session_events (session_id, at, kind, from_status, to_status, reason)
        VALUES (@sessionId, @at, @kind, @fromStatus, @toStatus, @reason)`),
      history: db.prepare<[string], EventRow>(
        `SELECT * FROM session_events WHERE session_id = ? ORDER BY seq`,
      ),
    };
  }

  async insert(session: SessionRecord, maxLive: number): Promise<void> {
    const run = this.db.transaction(() => {
      if (this.s.byName.get(session.name)) {
        throw new DatabaseError(
          'DUPLICATE_ENTRY',
          `A session named "${session.name}" already exists.`,
          {
            details: { field: 'name', value: session.name },
          },
        );
      }
      const live = this.s.live.get()!.n;
      if (live >= maxLive) {
        throw new ValidationError(
          'INVALID_INPUT',
          `This orchestration already has ${live} live sessions, the limit (maxSessions = ${maxLive}). ` +
            `Terminate or complete a session first, or raise maxSessions.`,
          'maxSessions',
          maxLive,
        );
      }
      this.s.insert.run({
        ...session,
        state: JSON.stringify(session.state),
        metadata: JSON.stringify(session.metadata),
      });
      this.s.event.run({
        sessionId: session.id,
        at: session.createdAt,
        kind: 'created',
        fromStatus: null,
        toStatus: session.status,
        reason: null,
      });
    });
    guard(() => run.immediate());
  }

  async update(
    id: string,
    expectedStatus: SessionStatus,
    change: SessionChange,
    event: Omit<SessionEventRecord, 'seq' | 'sessionId'>,
  ): Promise<SessionRecord | undefined> {
    const columns: Record<keyof SessionChange, string> = {
      name: 'name',
      workspace: 'workspace',
      status: 'status',
      state: 'state',
      metadata: 'metadata',
      error: 'error',
      lastHeartbeatAt: 'last_heartbeat_at',
    };
    const sets: string[] = ['updated_at = @at'];
    const params: Record<string, unknown> = { id, expectedStatus, at: event.at };
    for (const key of Object.keys(change) as (keyof SessionChange)[]) {
      const value = change[key];
      if (value === undefined) continue;
      sets.push(`${columns[key]} = @${key}`);
      params[key] = key === 'state' || key === 'metadata' ? JSON.stringify(value) : value;
    }
    const run = this.db.transaction(() => {
      const row = this.db
        .prepare(
          `UPDATE sessions SET ${sets.join(', ')} WHERE id = @id AND status = @expectedStatus RETURNING *`,
        )
        .get(params) as SessionRow | undefined;
      if (!row) return undefined;
      this.s.event.run({ sessionId: id, ...event });
      return fromRow(row);
    });
    return guard(() => run.immediate());
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = guard(() => this.s.byId.get(id));
    return row ? fromRow(row) : undefined;
  }

  async getByName(name: string): Promise<SessionRecord | undefined> {
    const row = guard(() => this.s.byName.get(name));
    return row ? fromRow(row) : undefined;
  }

  async list(filter: {
    type?: SessionType;
    statuses?: readonly SessionStatus[];
  }): Promise<SessionRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.type) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (filter.statuses?.length) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(',')})`);
      params.push(...filter.statuses);
    }
    const sql = `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
    return guard(() => (this.db.prepare(sql).all(...params) as SessionRow[]).map(fromRow));
  }

  async history(id: string): Promise<SessionEventRecord[]> {
    return guard(() =>
      this.s.history.all(id).map((r) => ({
        seq: r.seq,
        sessionId: r.session_id,
        at: r.at,
        kind: r.kind,
        fromStatus: r.from_status,
        toStatus: r.to_status,
        reason: r.reason,
      })),
    );
  }
}
