import type { WorkflowDefinition } from '../../../../src-shared/workflow';
import type { WorkflowRecord, WorkflowStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';

interface WorkflowRow {
  id: string;
  name: string;
  definition: string;
  revision: number;
  created_at: number;
  updated_at: number;
}

function fromRow(row: WorkflowRow): WorkflowRecord {
  return {
    id: row.id,
    definition: JSON.parse(row.definition) as WorkflowDefinition,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SqliteWorkflowStore implements WorkflowStore {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      insert:
        db.prepare(`INSERT INTO workflows (id, name, definition, revision, created_at, updated_at)
        VALUES (@id, @name, @definition, @revision, @createdAt, @updatedAt)`),
      update: db.prepare<
        { id: string; expected: number; name: string; definition: string; at: number },
        WorkflowRow
      >(`UPDATE workflows SET name = @name, definition = @definition, revision = revision + 1,
          updated_at = @at WHERE id = @id AND revision = @expected RETURNING *`),
      get: db.prepare<[string], WorkflowRow>(`SELECT * FROM workflows WHERE id = ?`),
      list: db.prepare<[number], WorkflowRow>(
        `SELECT * FROM workflows ORDER BY updated_at DESC, id LIMIT ?`,
      ),
      delete: db.prepare<[string]>(`DELETE FROM workflows WHERE id = ?`),
    };
  }

  async insert(workflow: WorkflowRecord): Promise<void> {
    guard(() =>
      this.s.insert.run({
        id: workflow.id,
        name: workflow.definition.name,
        definition: JSON.stringify(workflow.definition),
        revision: workflow.revision,
        createdAt: workflow.createdAt,
        updatedAt: workflow.updatedAt,
      }),
    );
  }

  async update(
    id: string,
    expectedRevision: number,
    definition: WorkflowDefinition,
    at: number,
  ): Promise<WorkflowRecord | undefined> {
    const row = guard(() =>
      this.s.update.get({
        id,
        expected: expectedRevision,
        name: definition.name,
        definition: JSON.stringify(definition),
        at,
      }),
    );
    return row && fromRow(row);
  }

  async get(id: string): Promise<WorkflowRecord | undefined> {
    const row = guard(() => this.s.get.get(id));
    return row && fromRow(row);
  }

  async list(limit: number): Promise<WorkflowRecord[]> {
    return guard(() => this.s.list.all(limit).map(fromRow));
  }

  async delete(id: string): Promise<boolean> {
    return guard(() => this.s.delete.run(id).changes > 0);
  }
}
