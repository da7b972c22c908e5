/**
 * Workflow files over RPC, on engine.files (import, export, validate, trust; trust kept in the
 * database per content hash; engine.runs.start refuses imported content nobody trusted).
 *
 * The hash the app shows and sends back is `trustHash`: the content hash with the layout set
 * aside (node positions, viewport), because opening a workflow on the canvas saves its viewport,
 * and moving a node does not change what runs. `workflows.trust` accepts that hash, or the
 * engine's own content hash (what a refused run reports), as long as it matches the workflow's
 * current content; it then trusts exactly that content in the engine.
 */
import type { FileCheckResult, ImportFileResult } from '../../src-shared/contract';
import { ValidationError, isOrchestrationError } from '../../src-shared/errors';
import type { Workflow, WorkflowDefinition } from '../../src-shared/workflow';
import { workflowHash } from '../engine/files';
import { contentHash, describeWhatItRuns, type FileProblem } from '../engine/workflows/file';
import type { ServedEngine } from './services';

/** contentHash of what runs: the definition without node positions and viewport. */
export function trustHash(workflow: Workflow | WorkflowDefinition): string {
  const d = 'definition' in workflow ? workflow.definition : workflow;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { viewport, ...rest } = d;
  const bare = { ...rest, sessions: d.sessions.map((s) => ({ ...s, position: { x: 0, y: 0 } })) };
  try {
    return contentHash(bare);
  } catch {
    return workflowHash({ definition: bare });
  }
}

function problemsOf(error: unknown): Extract<FileCheckResult, { ok: false }> {
  if (!isOrchestrationError(error)) throw error;
  const problems = (error.details.problems as FileProblem[] | undefined) ?? [
    { path: '', rule: 'engine-rule', message: error.message },
  ];
  return { ok: false, code: error.code, message: error.message, problems };
}

export interface FileServices {
  importFile(
    text: string,
    options: { onNameClash?: 'refuse' | 'rename' | 'replace'; name?: string; source?: string },
  ): Promise<ImportFileResult>;
  exportFile(id: string): Promise<{ text: string; fileName: string; removed: string[] }>;
  validateFile(text: string): Promise<FileCheckResult>;
  trust(
    id: string,
    hash: string,
    by?: string,
  ): Promise<{ id: string; contentHash: string; trustedAt: number }>;
}

export function createFileServices(
  engine: Pick<ServedEngine, 'workflows' | 'files'>,
): FileServices {
  return {
    async importFile(text, options) {
      const { source, ...rest } = options;
      const result = await engine.files.import(text, {
        ...rest,
        ...(source ? { source } : {}),
      });
      const out: ImportFileResult = {
        workflow: result.workflow,
        warnings: result.warnings,
        contentHash: trustHash(result.workflow),
        trusted: result.trusted,
        whatItRuns: result.whatItRuns,
      };
      if (result.migratedFrom !== undefined) out.migratedFrom = result.migratedFrom;
      if (result.replaced !== undefined) out.replaced = result.replaced;
      return out;
    },

    async exportFile(id) {
      const { text, fileName, removed } = await engine.files.export(id);
      return { text, fileName, removed };
    },

    async validateFile(text) {
      const check = await engine.files.validate(text);
      if (!check.ok) return check;
      try {
        const result: FileCheckResult = {
          ok: true,
          name: check.workflow.name,
          definition: check.workflow,
          warnings: check.warnings,
          contentHash: trustHash(check.workflow),
          whatItRuns: describeWhatItRuns(check.workflow),
        };
        if (check.migratedFrom !== undefined) result.migratedFrom = check.migratedFrom;
        return result;
      } catch (error) {
        return problemsOf(error);
      }
    },

    async trust(id, hash, by = 'app') {
      const workflow = await engine.workflows.get(id);
      if (!workflow) {
        throw new ValidationError('INVALID_INPUT', `No workflow with id "${id}".`, 'id', id);
      }
      const full = workflowHash(workflow);
      if (hash !== full && hash !== trustHash(workflow)) {
        throw new ValidationError(
          'INVALID_INPUT',
          `Workflow "${workflow.definition.name}" changed since you checked what it runs; check it again before trusting it.`,
          'contentHash',
          hash,
          {
            details: {
              contentHash: trustHash(workflow),
              whatItRuns: describeWhatItRuns(workflow),
            },
          },
        );
      }
      // The engine refuses if the content changed between the read above and now.
      const record = await engine.files.trust(id, full, by);
      return { id, contentHash: hash, trustedAt: record.trustedAt };
    },
  };
}
