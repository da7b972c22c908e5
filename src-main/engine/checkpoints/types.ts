import type { CheckpointForkResult } from '../../../src-shared/contract';
import type { WorkflowDefinition } from '../../../src-shared/workflow';
import type { EngineEvents } from '../engine-events';
import type { TypedEmitter } from '../events';
import type { RunService } from '../runs';
import type { SessionRegistry } from '../sessions';
import type { CheckpointMeta, CheckpointStore, StoragePort } from '../store/port';

/** A stored checkpoint's description (the payload is fetched only to restore, compare or export). */
export type Checkpoint = CheckpointMeta;

export interface RestoreConflict {
  kind: 'run-cancelled' | 'session-removed' | 'messages-discarded' | 'run-interrupted';
  id?: string;
  detail: string;
}

export interface RestoreResult {
  success: boolean;
  restoredFrom: string;
  /** The automatic checkpoint of the state before the restore (restore it to undo); null if not kept. */
  preRestoreCheckpointId: string | null;
  /** What the restore overrode in the current state. */
  conflicts: RestoreConflict[];
  warnings: string[];
  restored: { sessions: number; messages: number; workflows: number; runs: number };
}

export interface ValidationReport {
  id: string;
  valid: boolean;
  errors: string[];
}

export interface CheckpointStats {
  count: number;
  automatic: number;
  named: number;
  totalBytes: number;
  oldest: number | null;
  newest: number | null;
  head: string | null;
  retentionDays: number;
  maxSizeBytes: number;
}

/** What fork() wrote: the same shape clients see. */
export type ForkResult = CheckpointForkResult;

/**
 * State kept outside the engine's tables that a checkpoint also records and puts back (e.g. the
 * git worktree commits of a run's departments). `capture` runs right after the tables are read;
 * its JSON result is stored under `name` and checksummed with the rest. `restore` runs after the
 * tables were replaced (and before restored runs are settled) with what was captured, or
 * `undefined` for a checkpoint taken without this extension; the lines it returns join the
 * restore's warnings. A throw there becomes a warning too.
 */
export interface CheckpointExtension {
  readonly name: string;
  capture(): Promise<unknown>;
  restore(
    data: unknown,
    context: { checkpointId: string; liveRuns: string[] },
  ): Promise<string[] | void>;
}

export interface CheckpointDeps {
  store: CheckpointStore;
  runs: RunService;
  sessions: SessionRegistry;
  events: TypedEmitter<EngineEvents>;
  now: () => number;
  /** This engine instance (leases and runs it owns). */
  owner: string;
  /** Forgets the bus's deliveries under way once the messages under them were replaced. */
  abandonDeliveries: () => void;
  /** Opens a fresh database for fork(). */
  openStorage: (databasePath: string) => StoragePort;
  /** Records the workflows of an imported checkpoint as untrusted imports (engine.files). */
  markImportedWorkflows?: (
    workflows: { id: string; definition: WorkflowDefinition }[],
    source: string,
  ) => Promise<void>;
}
