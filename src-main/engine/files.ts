/**
 * engine.files: workflow files in and out of the engine — import (stores the definition, records
 * that it came from a file, never runs anything), export, validate, and trust. A workflow that
 * came from a file may run only once a person trusted its current content (by content hash);
 * engine.runs.start asks `checkRunnable` before it starts anything.
 */
import { createHash } from 'node:crypto';
import { AuthorizationError, ValidationError } from '../../src-shared/errors';
import type { Workflow, WorkflowDefinition } from '../../src-shared/workflow';
import type { WorkflowTrustStore } from './store/port';
import type { WorkflowService } from './workflows';
import {
  checkWorkflowFile,
  contentHash,
  describeWhatItRuns,
  exportStoredWorkflow,
  importWorkflowFile,
  type ExportResult,
  type FileCheck,
  type ImportOptions,
  type ImportResult,
  type TrustRecord,
  type WhatItRuns,
} from './workflows/file';

export interface FileImportOptions extends ImportOptions {
  /** The person confirmed what it runs (app: "Trust and run"; CLI: --trust): trust it now. */
  trust?: boolean;
  /** Who trusted, when `trust` is set. */
  by?: string;
  /** The file name it came from, kept with the workflow's origin. */
  source?: string;
}

/** As ImportResult, with `contentHash` the trustHash (layout aside) trust is remembered by. */
export interface FileImportResult extends ImportResult {
  /** Set when this import recorded trust (FileImportOptions.trust). */
  trustedNow?: boolean;
}

export interface WorkflowTrustStatus {
  workflowId: string;
  /** Whether it came from a file (only those need trust). */
  imported: boolean;
  importedAt: number | null;
  source: string | null;
  /** trustHash of the current content (layout aside). */
  contentHash: string;
  /** Whether it may run: not imported, or its current content is trusted. */
  trusted: boolean;
  whatItRuns: WhatItRuns[];
}

export interface FileServiceDeps {
  workflows: WorkflowService;
  store: WorkflowTrustStore;
  now: () => number;
}

/**
 * The hash trust is remembered by: contentHash() of what runs — the definition with the layout
 * (node positions, viewport) set aside, so panning the canvas or moving a node keeps a workflow
 * trusted, while any change to a runner, an edge, a name or a setting needs trust again.
 */
export function trustHash(workflow: Workflow | WorkflowDefinition): string {
  const d = 'definition' in workflow ? workflow.definition : workflow;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { viewport, ...rest } = d;
  const bare = { ...rest, sessions: d.sessions.map((s) => ({ ...s, position: { x: 0, y: 0 } })) };
  return workflowHash({ definition: bare });
}

/**
 * contentHash() of a stored workflow; a definition the file format cannot express (e.g. edited
 * in to hold a key-like value) still gets a stable hash, so trust checks never crash.
 */
export function workflowHash(workflow: Pick<Workflow, 'definition'>): string {
  try {
    return contentHash(workflow);
  } catch {
    const text = JSON.stringify(workflow.definition);
    return createHash('sha256').update(`unexportable:${text}`, 'utf8').digest('hex');
  }
}

export class FileService {
  constructor(private readonly deps: FileServiceDeps) {}

  /** Every problem at once (path + message); never throws for a bad file, never stores anything. */
  async validate(text: string | Uint8Array): Promise<FileCheck> {
    return checkWorkflowFile(text);
  }

  /** Stores the file's workflow (validated, migrated); records its origin; runs nothing. */
  async import(
    text: string | Uint8Array,
    options: FileImportOptions = {},
  ): Promise<FileImportResult> {
    const { trust, by, source, ...importOptions } = options;
    const result: FileImportResult = await importWorkflowFile(
      { workflows: this.deps.workflows },
      text,
      importOptions,
    );
    const hash = trustHash(result.workflow);
    result.contentHash = hash;
    result.trusted = await this.isContentTrusted(hash);
    await this.deps.store.markImported({
      workflowId: result.workflow.id,
      contentHash: hash,
      importedAt: this.deps.now(),
      source: source ?? null,
    });
    if (trust && !result.trusted) {
      await this.record(hash, result.workflow, by);
      result.trusted = true;
      result.trustedNow = true;
    }
    return result;
  }

  /**
   * Workflows that arrived inside an imported checkpoint came from someone else's machine just as
   * a file does: they are recorded as imported (by id, before any restore writes them), so a run
   * is refused until a person trusts their content. A workflow this database already has with
   * the same content keeps its standing.
   */
  async markFromCheckpoint(
    workflows: readonly { id: string; definition: WorkflowDefinition }[],
    source: string,
  ): Promise<void> {
    for (const { id, definition } of workflows) {
      const hash = trustHash(definition);
      const local = await this.deps.workflows.get(id);
      const origin = await this.deps.store.origin(id);
      if (local && !origin && trustHash(local) === hash) continue;
      await this.deps.store.markImported({
        workflowId: id,
        contentHash: hash,
        importedAt: this.deps.now(),
        source,
      });
    }
  }

  /** A stored workflow (by id, or by exact name) as canonical file text. */
  async export(idOrName: string): Promise<ExportResult & { fileName: string; workflow: Workflow }> {
    return exportStoredWorkflow({ workflows: this.deps.workflows }, idOrName);
  }

  /**
   * Trusts the workflow's current content. With `expectedHash` (what the person was shown: its
   * trustHash, or its full contentHash), refuses (INVALID_INPUT) if the content changed since, so
   * nobody trusts what they did not see.
   */
  async trust(workflowId: string, expectedHash?: string, by?: string): Promise<TrustRecord> {
    const workflow = await this.deps.workflows.require(workflowId);
    const hash = trustHash(workflow);
    if (
      expectedHash !== undefined &&
      expectedHash !== hash &&
      expectedHash !== workflowHash(workflow)
    ) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Workflow "${workflow.definition.name}" changed since it was shown; review what it runs again.`,
        'contentHash',
        expectedHash,
        { details: { contentHash: hash } },
      );
    }
    return this.record(hash, workflow, by);
  }

  /** Forgets trust in one content hash; true if it was trusted. */
  async revoke(hash: string): Promise<boolean> {
    return this.deps.store.revoke(hash);
  }

  /** Trusted content hashes, oldest first. */
  async trusted(): Promise<TrustRecord[]> {
    return this.deps.store.list();
  }

  /** Whether this trustHash (of a file's definition or a workflow) is trusted. */
  async isContentTrusted(hash: string): Promise<boolean> {
    return (await this.deps.store.get(hash)) !== undefined;
  }

  /** Whether the workflow may run: it did not come from a file, or its current content is trusted. */
  async isTrusted(workflowId: string): Promise<boolean> {
    return (await this.status(workflowId)).trusted;
  }

  async status(workflowId: string): Promise<WorkflowTrustStatus> {
    const workflow = await this.deps.workflows.require(workflowId);
    return this.statusOf(workflow);
  }

  /** engine.runs.start's hook: FORBIDDEN (with what it would run) for untrusted imported content. */
  async checkRunnable(workflow: Workflow): Promise<void> {
    const status = await this.statusOf(workflow);
    if (status.trusted) return;
    throw new AuthorizationError(
      `Workflow "${workflow.definition.name}" was imported from a file and is not trusted yet: ` +
        'check what it would run, then trust it ("Trust and run" in the app, --trust on the command line).',
      {
        details: {
          workflowId: workflow.id,
          contentHash: status.contentHash,
          whatItRuns: status.whatItRuns,
        },
      },
    );
  }

  private async statusOf(workflow: Workflow): Promise<WorkflowTrustStatus> {
    const origin = await this.deps.store.origin(workflow.id);
    const hash = trustHash(workflow);
    const trusted = !origin || (await this.deps.store.get(hash)) !== undefined;
    return {
      workflowId: workflow.id,
      imported: origin !== undefined,
      importedAt: origin?.importedAt ?? null,
      source: origin?.source ?? null,
      contentHash: hash,
      trusted,
      whatItRuns: describeWhatItRuns(workflow),
    };
  }

  private async record(hash: string, workflow: Workflow, by?: string): Promise<TrustRecord> {
    const record: TrustRecord = {
      hash,
      trustedAt: this.deps.now(),
      name: workflow.definition.name,
    };
    if (by !== undefined) record.by = by;
    await this.deps.store.trust(record);
    return record;
  }
}
