import { ValidationError } from '../../../src-shared/errors';
import { newId } from '../ids';
import type { Workflow, WorkflowDefinition } from '../../../src-shared/workflow';
import type { WorkflowRecord, WorkflowStore } from '../store/port';
import { validateDefinition } from './validate';

export { Topology } from './topology';
export { validateDefinition } from './validate';

export interface WorkflowServiceOptions {
  now: () => number;
  /** Whether a workflow has a run that is still going (it may not be deleted then). */
  hasLiveRuns: (workflowId: string) => Promise<boolean>;
  /** A workflow was created or saved (the engine prepares its worktrees ahead of a Run). */
  onSaved?: (workflow: Workflow) => void;
}

const toWorkflow = (r: WorkflowRecord): Workflow => ({ ...r });

/** engine.workflows: saved topologies, validated on every write, versioned by `revision`. */
export class WorkflowService {
  constructor(
    private readonly store: WorkflowStore,
    private readonly options: WorkflowServiceOptions,
  ) {}

  async list(query: { limit?: number } = {}): Promise<Workflow[]> {
    return (await this.store.list(limitOf(query.limit))).map(toWorkflow);
  }

  async get(id: string): Promise<Workflow | undefined> {
    const record = await this.store.get(requireId(id));
    return record && toWorkflow(record);
  }

  async require(id: string): Promise<Workflow> {
    const workflow = await this.get(id);
    if (!workflow) {
      throw new ValidationError('INVALID_INPUT', `No workflow with id "${id}".`, 'workflowId', id);
    }
    return workflow;
  }

  async create(definition: WorkflowDefinition): Promise<Workflow> {
    const parsed = validateDefinition(definition);
    const now = this.options.now();
    const record: WorkflowRecord = {
      id: newId(),
      definition: parsed,
      revision: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insert(record);
    const workflow = toWorkflow(record);
    this.options.onSaved?.(workflow);
    return workflow;
  }

  /** With `expectedRevision`, refuses (INVALID_INPUT) if someone saved in between. */
  async update(
    id: string,
    definition: WorkflowDefinition,
    expectedRevision?: number,
  ): Promise<Workflow> {
    const parsed = validateDefinition(definition);
    const current = await this.require(id);
    const expected = expectedRevision ?? current.revision;
    const updated = await this.store.update(id, expected, parsed, this.options.now());
    if (!updated) {
      const now = await this.require(id);
      throw new ValidationError(
        'INVALID_INPUT',
        `Workflow "${now.definition.name}" was changed elsewhere (revision ${now.revision}, ` +
          `expected ${expected}); reload it and apply your change again.`,
        'expectedRevision',
        expected,
        { details: { revision: now.revision } },
      );
    }
    const workflow = toWorkflow(updated);
    this.options.onSaved?.(workflow);
    return workflow;
  }

  /** Its runs stay as history. Refused while one of its runs is still going. */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    if (await this.options.hasLiveRuns(id)) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Workflow "${id}" has a run in progress; cancel it before deleting the workflow.`,
        'id',
        id,
      );
    }
    return this.store.delete(id);
  }
}

function requireId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('MISSING_FIELD', 'A workflow id is required.', 'id', id);
  }
  return id;
}

function limitOf(limit: unknown): number {
  if (limit === undefined) return 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new ValidationError('INVALID_INPUT', 'limit must be 1–10,000.', 'limit', limit);
  }
  return limit;
}
