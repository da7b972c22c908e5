import type { RunStatus, WorkflowDefinition } from '../../../../src-shared/workflow';
import type { RunChange, RunRecord, RunStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';

interface RunRow {
  id: string;
  workflow_id: string;
  workflow_revision: number;
  definition: string;
  status: RunStatus;
  input: string;
  result: string | null;
  error: string | null;
  sessions: string;
  owner: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

function fromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowRevision: row.workflow_revision,
    definition: JSON.parse(row.definition) as WorkflowDefinition,
    status: row.status,
    input: JSON.parse(row.input) as unknown,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    error: row.error,
    sessions: JSON.parse(row.sessions) as Record<string, string>,
    owner: row.owner,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

const COLUMNS: Record<keyof RunChange, string> = {
  status: 'status',
  result: 'result',
  error: 'error',
  sessions: 'sessions',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  owner: 'owner',
};
const JSON_COLUMNS = new Set<keyof RunChange>(['result', 'sessions']);

export class SqliteRunStore implements RunStore {
  private readonly s;
  /** Updates and lists take a few shapes only; preparing each call cost more than running it. */
  private readonly statements = new Map<string, ReturnType<SqliteDb['prepare']>>();

  constructor(private readonly db: SqliteDb) {
    this.s = {
      insert: db.prepare(`INSERT INTO runs (id, workflow_id, workflow_revision, definition, status,
          input, result, error, sessions, owner, created_at, started_at, ended_at)
        VALUES (@id, @workflowId, @workflowRevision, @definition, @status, @input, @result, @error,
          @sessions, @owner, @createdAt, @startedAt, @endedAt)`),
      get: db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE id = ?`),
    };
  }

  async insert(run: RunRecord): Promise<void> {
    guard(() =>
      this.s.insert.run({
        ...run,
        definition: JSON.stringify(run.definition),
        input: JSON.stringify(run.input ?? null),
        result: run.result === null || run.result === undefined ? null : JSON.stringify(run.result),
        sessions: JSON.stringify(run.sessions),
      }),
    );
  }

  async update(
    id: string,
    fromStatuses: readonly RunStatus[],
    change: RunChange,
  ): Promise<RunRecord | undefined> {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id };
    for (const key of Object.keys(change) as (keyof RunChange)[]) {
      const value = change[key];
      if (value === undefined) continue;
      sets.push(`${COLUMNS[key]} = @${key}`);
      params[key] = JSON_COLUMNS.has(key) ? JSON.stringify(value) : value;
    }
    if (sets.length === 0) return this.get(id);
    const statuses = fromStatuses.map((_, i) => `@from${i}`).join(', ');
    fromStatuses.forEach((status, i) => (params[`from${i}`] = status));
    const sql = `UPDATE runs SET ${sets.join(', ')} WHERE id = @id AND status IN (${statuses}) RETURNING *`;
    const row = guard(() => this.statement(sql).get(params) as RunRow | undefined);
    return row && fromRow(row);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = guard(() => this.s.get.get(id));
    return row && fromRow(row);
  }

  async delete(id: string, fromStatuses: readonly RunStatus[]): Promise<boolean> {
    const statuses = fromStatuses.map(() => '?').join(', ');
    const sql = `DELETE FROM runs WHERE id = ? AND status IN (${statuses})`;
    return guard(() => this.statement(sql).run([id, ...fromStatuses]).changes === 1);
  }

  async list(query: {
    workflowId?: string;
    statuses?: readonly RunStatus[];
    limit: number;
  }): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.workflowId !== undefined) {
      where.push('workflow_id = ?');
      params.push(query.workflowId);
    }
    if (query.statuses?.length) {
      where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
      params.push(...query.statuses);
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return guard(() => (this.db.prepare(sql).all(...params, query.limit) as RunRow[]).map(fromRow));
  }

  private statement(sql: string) {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}
