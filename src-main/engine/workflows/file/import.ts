/**
 * Engine hooks for files, written against the services they need so the engine facade, the CLI
 * and the RPC layer can wire them without this folder knowing about them. Importing stores the
 * definition and reports what it would run; it never runs anything and never trusts by itself.
 */
import { DatabaseError, ValidationError } from '../../../../src-shared/errors';
import type { Workflow } from '../../../../src-shared/workflow';
import type { WorkflowService } from '../index';
import { exportWorkflowReport, fileNameFor, type ExportResult } from './export';
import { parseWorkflowFile } from './parse';
import type { FileWarning } from './problems';
import { contentHash, describeWhatItRuns, type WhatItRuns } from './trust';
import type { TrustStore } from './trust-store';

export interface WorkflowFileServices {
  workflows: Pick<WorkflowService, 'list' | 'get' | 'create' | 'update'>;
  trust?: TrustStore;
}

/** What to do when a workflow with the same name exists: refuse (DUPLICATE_ENTRY), rename, replace. */
export type NameClash = 'refuse' | 'rename' | 'replace';

export interface ImportOptions {
  onNameClash?: NameClash;
  /** Store under this name instead of the file's. */
  name?: string;
}

export interface ImportResult {
  workflow: Workflow;
  migratedFrom?: number;
  warnings: FileWarning[];
  contentHash: string;
  /** Whether this exact content was trusted before; an import never trusts by itself. */
  trusted: boolean;
  whatItRuns: WhatItRuns[];
  /** The id of the workflow that was replaced, when onNameClash was "replace". */
  replaced?: string;
}

async function byName(services: WorkflowFileServices, name: string) {
  return (await services.workflows.list({ limit: 10_000 })).find((w) => w.definition.name === name);
}

async function freeName(services: WorkflowFileServices, name: string): Promise<string> {
  const taken = new Set(
    (await services.workflows.list({ limit: 10_000 })).map((w) => w.definition.name),
  );
  for (let n = 1; ; n++) {
    const candidate = `${name} (${n === 1 ? 'copy' : `copy ${n}`})`.slice(-200);
    if (!taken.has(candidate)) return candidate;
  }
}

export async function importWorkflowFile(
  services: WorkflowFileServices,
  input: string | Uint8Array,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const parsed = parseWorkflowFile(input);
  const definition = { ...parsed.workflow, name: options.name ?? parsed.workflow.name };
  const clash = await byName(services, definition.name);
  let workflow: Workflow;
  let replaced: string | undefined;
  const mode = options.onNameClash ?? 'refuse';
  if (clash && mode === 'refuse') {
    throw new DatabaseError(
      'DUPLICATE_ENTRY',
      `A workflow named "${definition.name}" already exists; import it under another name or replace it.`,
      {
        details: {
          name: definition.name,
          existingId: clash.id,
          suggestedName: await freeName(services, definition.name),
        },
      },
    );
  }
  if (clash && mode === 'replace') {
    workflow = await services.workflows.update(clash.id, definition, clash.revision);
    replaced = clash.id;
  } else {
    if (clash) definition.name = await freeName(services, definition.name);
    workflow = await services.workflows.create(definition);
  }
  const hash = contentHash(workflow);
  const result: ImportResult = {
    workflow,
    warnings: parsed.warnings,
    contentHash: hash,
    trusted: services.trust ? (await services.trust.get(hash)) !== undefined : false,
    whatItRuns: describeWhatItRuns(workflow),
  };
  if (parsed.migratedFrom !== undefined) result.migratedFrom = parsed.migratedFrom;
  if (replaced !== undefined) result.replaced = replaced;
  return result;
}

/** A stored workflow (by id, or by exact name) as a file. */
export async function exportStoredWorkflow(
  services: WorkflowFileServices,
  idOrName: string,
): Promise<ExportResult & { fileName: string; workflow: Workflow }> {
  const workflow = (await services.workflows.get(idOrName)) ?? (await byName(services, idOrName));
  if (!workflow) {
    throw new ValidationError(
      'INVALID_INPUT',
      `No workflow with id or name "${idOrName}".`,
      'workflow',
      idOrName,
    );
  }
  return { ...exportWorkflowReport(workflow), fileName: fileNameFor(workflow), workflow };
}
