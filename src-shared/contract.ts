/**
 * The one contract between the engine and every client (renderer over IPC or WebSocket, SDK,
 * CLI). Each method has a zod input schema (the server validates against it) and a phantom
 * output type; both sides derive their types from this table, so there is no channel list to
 * keep in sync by hand. Method params are always one object (or nothing) so fields can be added
 * without breaking callers.
 */
import { z } from 'zod';
import {
  messageQuerySchema,
  publishSchema,
  sessionCreateSchema,
  sessionListSchema,
  sessionUpdateSchema,
} from './schemas';
import type { BusHealth, BusStats, Message, Session, SessionHistoryEntry } from './types';
import type { StreamEvent } from './stream';
import {
  RUN_STATUSES,
  workflowDefinitionSchema,
  type Run,
  type Workflow,
  type WorkflowDefinition,
} from './workflow';

export const ROLES = ['admin', 'developer', 'observer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a method needs. `read` is open to every role; the rest map to SPEC.md's permissions
 * (enforced per role by the server, see src-main/rpc/permissions.ts).
 */
export const PERMISSIONS = [
  'read',
  'session:create',
  'session:update',
  'message:send',
  'message:manage',
  'workflow:write',
  'run:start',
  'workflow:import',
  'workflow:trust',
  'checkpoint:write',
  'checkpoint:restore',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

declare const outputBrand: unique symbol;
/** A type-only marker: carries the output type, never a value. */
export interface Returns<T> {
  readonly [outputBrand]?: T;
}
const returns = <T>(): Returns<T> => ({}) as Returns<T>;

export interface MethodSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  output: Returns<O>;
  permission: Permission;
  /** A short sentence for docs and error messages. */
  summary: string;
}

const method = <I extends z.ZodType, O>(
  input: I,
  output: Returns<O>,
  permission: Permission,
  summary: string,
): MethodSpec<I, O> => ({ input, output, permission, summary });

const NONE = z.strictObject({}).optional();
const idRef = z.string().min(1).max(200);
const byId = z.strictObject({ id: idRef });
const limit = z.number().int().min(1).max(10_000).optional();

/** One audit log row: who (token, role, transport), what, when, and the outcome. */
export interface AuditLogEntry {
  seq: number;
  at: number;
  tokenId: string | null;
  role: string | null;
  transport: string;
  method: string;
  /** 'ok' or the error code the call failed with. */
  outcome: string;
  detail: string | null;
  client: string | null;
}

export interface EngineInfo {
  apiVersion: string;
  databasePath: string;
  /** The caller's role on this connection. */
  role: Role;
  /** Which optional services this engine build has (e.g. "workflows", "runs", "stream"). */
  features: string[];
  /** What this engine's start-up recovered from processes that stopped without closing. */
  recovery: EngineRecovery;
}

export interface EngineRecovery {
  /** Engine processes found dead while holding leases on this database. */
  deadProcesses: number;
  /** Messages they had in flight, put back in the queue to be delivered again. */
  releasedLeases: number;
  /** Runs they were executing, now `interrupted` (runs.resume carries each one on). */
  interruptedRuns: number;
}

/** A manual runner's step waiting for a person to answer it (runs.answer). */
export interface WaitingMessage {
  messageId: string;
  runId: string | null;
  sessionId: string;
  sessionName: string;
  type: string;
  content: unknown;
  since: number;
}

/** A Claude Code agent waiting for a person: a tool permission or a question (permissions.answer). */
export interface PermissionRequest {
  requestId: string;
  runId: string | null;
  sessionId: string;
  sessionName: string;
  kind: 'tool' | 'question';
  toolName: string | null;
  input: unknown;
  question: string | null;
  since: number;
}

/** One page of the ordered event stream. */
export interface EventPage {
  events: StreamEvent[];
  /** The newest sequence number the engine has, so a client knows whether more pages follow. */
  lastSeq: number;
}

// --- workflow files ------------------------------------------------------------------------

/** One problem in a workflow file: a JSON Pointer, a plain message, and the node/edge it is on. */
export interface FileProblem {
  path: string;
  message: string;
  rule: string;
  sessionId?: string;
  edgeId?: string;
}
export interface FileWarning {
  path?: string;
  message: string;
}
/** What one session of a workflow would run (shown before "Trust and run"). */
export interface WhatItRuns {
  sessionId: string;
  sessionName: string;
  sessionType: string;
  kind: string;
  summary: string;
  excerpt?: string;
  env?: string[];
  workspace?: string;
  executes: boolean;
}
export type FileCheckResult =
  | {
      ok: true;
      name: string;
      definition: WorkflowDefinition;
      migratedFrom?: number;
      warnings: FileWarning[];
      contentHash: string;
      whatItRuns: WhatItRuns[];
    }
  | { ok: false; code: string; message: string; problems: FileProblem[] };
export interface ImportFileResult {
  workflow: Workflow;
  migratedFrom?: number;
  warnings: FileWarning[];
  /** What to pass to workflows.trust: the content hash with the layout (positions, viewport) set aside. */
  contentHash: string;
  /** This exact content was trusted before; an import never trusts by itself. */
  trusted: boolean;
  whatItRuns: WhatItRuns[];
  /** The id of the workflow replaced (onNameClash "replace"). */
  replaced?: string;
}
export interface ExportFileResult {
  text: string;
  fileName: string;
  /** JSON Pointers of secret values that were left out of the file. */
  removed: string[];
}
export interface TrustResult {
  id: string;
  contentHash: string;
  trustedAt: number;
}

// --- checkpoints -----------------------------------------------------------------------------

export interface CheckpointInfo {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  createdAt: number;
  automatic: boolean;
  parentId: string | null;
  runId: string | null;
  sizeBytes: number;
  rawSizeBytes: number;
  checksum: string;
  schemaVersion: number;
  codec: string;
  /** Counts: sessions, workflows, runs, messages and messages by state. */
  summary: Record<string, number>;
}
export interface CheckpointRestoreResult {
  success: boolean;
  restoredFrom: string;
  /** The automatic checkpoint of the state before the restore (restore it to undo). */
  preRestoreCheckpointId: string | null;
  conflicts: { kind: string; id?: string; detail: string }[];
  warnings: string[];
  restored: { sessions: number; messages: number; workflows: number; runs: number };
}
export interface SessionRef {
  id: string;
  name: string;
}
export interface MessageRef {
  id: string;
  type: string;
  state: string;
  receiver: string | null;
}
export interface CheckpointComparison {
  from: string;
  to: string;
  sessions: {
    added: SessionRef[];
    removed: SessionRef[];
    statusChanged: (SessionRef & { from: string; to: string })[];
    stateChanged: SessionRef[];
  };
  messages: {
    appeared: MessageRef[];
    /** In `from`, not in `to`: acknowledged in between (a checkpoint keeps only unacknowledged mail). */
    acknowledged: MessageRef[];
    moved: { id: string; type: string; from: MessageRef; to: MessageRef }[];
    counts: { appeared: number; acknowledged: number; moved: number };
    truncated: boolean;
  };
  workflows: {
    added: string[];
    removed: string[];
    changed: { id: string; fromRevision: number; toRevision: number }[];
  };
  runs: {
    added: string[];
    removed: string[];
    statusChanged: { id: string; from: string; to: string }[];
  };
  /** The differences in sentences, sessions and runs named as the workflow names them. */
  lines: string[];
}
/** What restoring a checkpoint would change, from the current state to the checkpoint's. */
export interface RestorePreview {
  checkpoint: CheckpointInfo;
  sessions: {
    /** Exist now, not at the checkpoint: removed. */
    removed: SessionRef[];
    /** Exist at the checkpoint, not now: brought back. */
    added: SessionRef[];
    /** From their status now to their status right after the restore. */
    statusChanged: (SessionRef & { from: string; to: string })[];
  };
  messages: {
    /** Unacknowledged messages now, by state. */
    now: Record<string, number>;
    /** Unacknowledged messages at the checkpoint, by state. */
    atCheckpoint: Record<string, number>;
  };
  runs: {
    /** Runs that are live now and will be cancelled. */
    cancelled: string[];
    /** From their status now to their status right after the restore. */
    statusChanged: { id: string; from: string; to: string }[];
    /** Runs live at the checkpoint: they come back interrupted, to be resumed. */
    interrupted: string[];
    /** Runs the checkpoint does not have (started after it): they leave the run history. */
    removed: string[];
  };
  workflows: { removed: SessionRef[]; added: SessionRef[]; changed: SessionRef[] };
  /**
   * The checkpoint is not the head or an ancestor of it (an earlier restore left it, or it was
   * imported): messages acknowledged on its timeline may be missing here (docs/checkpoints.md).
   */
  historyIncomplete: boolean;
  /** What to know before restoring (such as an incomplete history), one sentence each. */
  warnings: string[];
  /** One line each, for a confirmation dialog. */
  lines: string[];
}
export interface CheckpointForkResult {
  databasePath: string;
  fromCheckpoint: string;
  sessions: number;
  /** Messages not acknowledged at the checkpoint (delivered again in the fork). */
  messages: number;
  /** Messages acknowledged by then, copied as the fork's history (a resumed run reads them). */
  history: number;
  /** Runs that were live in the checkpoint: the forked engine marks them interrupted when it opens. */
  liveRuns: string[];
}

const checkpointId = z.strictObject({ id: idRef });

// --- workspaces: the git worktrees of a run's departments (docs/worktrees.md) ---------------

/** One file of a department's changes against its base (the merge-base with the target). */
export interface WorkspaceDiffFile {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** For renames: where the file came from. */
  oldPath?: string;
  added: number;
  removed: number;
  binary?: boolean;
  /** Unified-diff hunks: the `@@` header, then lines starting with ' ', '+' or '-'. */
  hunks: Array<{ header: string; lines: string[] }>;
}

export interface WorkspaceMergeResult {
  merged: boolean;
  commit?: string;
  fastForward?: boolean;
  /** Files that would conflict; the target branch was not touched. */
  conflicts?: string[];
  /** The branch merged into (the base branch or the integration branch). */
  into: string;
}

/** One git command run for a run: its argument array, where, when, how long and how it ended. */
export interface GitCommandEntry {
  args: string[];
  cwd: string;
  startedAt: number;
  durationMs: number;
  /** -1 when git could not be started or was cancelled. */
  exitCode: number;
  /** Trimmed, at most 2,000 characters. */
  stderr: string;
  /** The department it was run for; absent for run-level commands (fetch, listing). */
  sessionId?: string;
}

const workspaceRef = z.strictObject({ runId: idRef, sessionId: idRef });

export const contract = {
  'engine.info': method(NONE, returns<EngineInfo>(), 'read', 'API version, database, your role'),

  'sessions.list': method(sessionListSchema, returns<Session[]>(), 'read', 'List sessions'),
  'sessions.get': method(byId, returns<Session | null>(), 'read', 'One session by id or name'),
  'sessions.history': method(
    byId,
    returns<SessionHistoryEntry[]>(),
    'read',
    "A session's status history",
  ),
  'sessions.create': method(
    sessionCreateSchema,
    returns<Session>(),
    'session:create',
    'Create a session',
  ),
  'sessions.update': method(
    z.strictObject({ id: idRef, changes: sessionUpdateSchema }),
    returns<Session>(),
    'session:update',
    'Rename, move status, or change state/metadata',
  ),
  'sessions.heartbeat': method(
    byId,
    returns<Session>(),
    'session:update',
    'Record that a session is alive (resets its timeout)',
  ),
  'sessions.terminate': method(
    z.strictObject({ id: idRef, reason: z.string().max(2000).optional() }),
    returns<Session>(),
    'session:update',
    'Terminate a session',
  ),

  'bus.publish': method(publishSchema, returns<Message>(), 'message:send', 'Publish a message'),
  'bus.publishBatch': method(
    z.strictObject({ messages: z.array(publishSchema).min(1).max(1000) }),
    returns<Message[]>(),
    'message:send',
    'Publish messages all-or-nothing',
  ),
  'bus.list': method(messageQuerySchema, returns<Message[]>(), 'read', 'Query messages'),
  'bus.get': method(byId, returns<Message | null>(), 'read', 'One message by id'),
  'bus.mailbox': method(
    z.strictObject({ receiver: idRef, limit }),
    returns<Message[]>(),
    'read',
    'What waits for a receiver',
  ),
  'bus.stats': method(NONE, returns<BusStats>(), 'read', 'Bus counters'),
  'bus.health': method(NONE, returns<BusHealth>(), 'read', 'Bus health'),
  'bus.deadLetters': method(
    z.strictObject({ limit }).optional(),
    returns<Message[]>(),
    'read',
    'The dead-letter queue',
  ),
  'bus.requeue': method(byId, returns<null>(), 'message:manage', 'Retry a dead message'),
  'bus.acknowledge': method(
    byId,
    returns<{ acknowledged: boolean }>(),
    'message:manage',
    'Acknowledge a delivered message',
  ),
  'bus.reject': method(
    z.strictObject({ id: idRef, reason: z.string().min(1).max(2000) }),
    returns<null>(),
    'message:manage',
    'Dead-letter a message with a reason',
  ),

  'workflows.list': method(
    z.strictObject({ limit }).optional(),
    returns<Workflow[]>(),
    'read',
    'List workflows',
  ),
  'workflows.get': method(byId, returns<Workflow | null>(), 'read', 'One workflow'),
  'workflows.create': method(
    z.strictObject({ definition: workflowDefinitionSchema }),
    returns<Workflow>(),
    'workflow:write',
    'Create a workflow',
  ),
  'workflows.update': method(
    z.strictObject({
      id: idRef,
      definition: workflowDefinitionSchema,
      /** Refused with a conflict when the stored revision differs (optimistic concurrency). */
      expectedRevision: z.number().int().min(0).optional(),
    }),
    returns<Workflow>(),
    'workflow:write',
    'Save a new revision of a workflow',
  ),
  'workflows.delete': method(
    byId,
    returns<{ deleted: boolean }>(),
    'workflow:write',
    'Delete a workflow (its runs stay as history)',
  ),

  'workflows.importFile': method(
    z.strictObject({
      /** The file's text (`.orchestration.json`); at most 10 MB. */
      text: z.string().max(10 * 1024 * 1024 + 1024),
      /** A workflow of the same name exists: refuse (DUPLICATE_ENTRY, details.suggestedName), rename, replace. */
      onNameClash: z.enum(['refuse', 'rename', 'replace']).optional(),
      /** Store under this name instead of the file's. */
      name: z.string().trim().min(1).max(200).optional(),
      /** The file's name, kept with the workflow's origin. */
      source: z.string().max(500).optional(),
    }),
    returns<ImportFileResult>(),
    'workflow:import',
    'Import a workflow file (never runs or trusts anything)',
  ),
  'workflows.exportFile': method(
    byId,
    returns<ExportFileResult>(),
    'read',
    'A stored workflow as a file (secrets left out)',
  ),
  'workflows.validateFile': method(
    z.strictObject({ text: z.string().max(10 * 1024 * 1024 + 1024) }),
    returns<FileCheckResult>(),
    'read',
    'Check a workflow file: every problem with its path',
  ),
  'workflows.trust': method(
    z.strictObject({ id: idRef, contentHash: z.string().regex(/^[0-9a-f]{64}$/) }),
    returns<TrustResult>(),
    'workflow:trust',
    'Trust what a workflow runs (the hash must match its current content)',
  ),

  'checkpoints.create': method(
    z.strictObject({
      name: z.string().trim().min(1).max(200),
      description: z.string().max(2_000).optional(),
      tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
      runId: idRef.optional(),
    }),
    returns<CheckpointInfo>(),
    'checkpoint:write',
    'Snapshot the whole orchestration',
  ),
  'checkpoints.list': method(
    z
      .strictObject({
        name: z.string().min(1).max(200).optional(),
        tag: z.string().min(1).max(50).optional(),
        from: z.number().optional(),
        to: z.number().optional(),
        automatic: z.boolean().optional(),
        limit,
      })
      .optional(),
    returns<CheckpointInfo[]>(),
    'read',
    'Checkpoints, newest first',
  ),
  'checkpoints.get': method(
    checkpointId,
    returns<CheckpointInfo | null>(),
    'read',
    'One checkpoint',
  ),
  'checkpoints.preview': method(
    checkpointId,
    returns<RestorePreview>(),
    'read',
    'What restoring a checkpoint would change',
  ),
  'checkpoints.restore': method(
    z.strictObject({ id: idRef, preserveCurrentState: z.boolean().optional() }),
    returns<CheckpointRestoreResult>(),
    'checkpoint:restore',
    'Put the whole orchestration back to a checkpoint (the current state is saved first)',
  ),
  'checkpoints.compare': method(
    z.strictObject({
      from: idRef,
      to: idRef,
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
    returns<CheckpointComparison>(),
    'read',
    'What changed between two checkpoints',
  ),
  'checkpoints.fork': method(
    checkpointId,
    returns<CheckpointForkResult>(),
    'checkpoint:restore',
    "A checkpoint's state as a new database beside the current one",
  ),
  'checkpoints.delete': method(
    checkpointId,
    returns<{ deleted: boolean }>(),
    'checkpoint:write',
    'Delete a checkpoint',
  ),

  'runs.start': method(
    z.strictObject({ workflowId: idRef, input: z.unknown().optional() }),
    returns<Run>(),
    'run:start',
    'Start a run of a workflow',
  ),
  'runs.get': method(byId, returns<Run | null>(), 'read', 'One run'),
  'runs.list': method(
    z
      .strictObject({
        workflowId: idRef.optional(),
        status: z.enum(RUN_STATUSES).optional(),
        limit,
      })
      .optional(),
    returns<Run[]>(),
    'read',
    'Recent runs, newest first',
  ),
  'runs.cancel': method(
    z.strictObject({ id: idRef, reason: z.string().max(2000).optional() }),
    returns<Run>(),
    'run:start',
    'Cancel a run',
  ),
  'runs.resume': method(
    byId,
    returns<Run>(),
    'run:start',
    'Carry on an interrupted run (its engine stopped, or a checkpoint restore caught it running)',
  ),
  'runs.delete': method(
    byId,
    returns<{ deleted: boolean }>(),
    'run:start',
    'Delete a run that is over, with its worktrees (unmerged branches are kept)',
  ),
  'runs.wait': method(
    z.strictObject({ id: idRef, timeoutMs: z.number().int().min(1).max(600_000).optional() }),
    returns<Run>(),
    'read',
    'Resolve when a run ends (MESSAGE_TIMEOUT after timeoutMs)',
  ),
  'runs.waiting': method(
    z.strictObject({ runId: idRef.optional() }).optional(),
    returns<WaitingMessage[]>(),
    'read',
    'Manual steps waiting for a person',
  ),
  'runs.answer': method(
    z.strictObject({ messageId: idRef, content: z.unknown() }),
    returns<null>(),
    'message:send',
    "Answer a manual runner's message",
  ),

  'workspaces.diff': method(
    workspaceRef,
    returns<WorkspaceDiffFile[]>(),
    'read',
    "A department's changes against its base: files and hunks",
  ),
  'workspaces.merge': method(
    workspaceRef,
    returns<WorkspaceMergeResult>(),
    'run:start',
    "Merge a department's branch into the base (a conflict is reported, never forced)",
  ),
  'workspaces.discard': method(
    workspaceRef,
    returns<null>(),
    'run:start',
    "Remove a department's worktree and branch",
  ),
  'workspaces.commands': method(
    z.strictObject({ runId: idRef, sessionId: idRef.optional() }),
    returns<GitCommandEntry[]>(),
    'read',
    'The git commands run for a run (or one department), oldest first',
  ),

  'permissions.list': method(
    z.strictObject({ runId: idRef.optional() }).optional(),
    returns<PermissionRequest[]>(),
    'read',
    'Agents waiting for a person (tool permissions, questions), oldest first',
  ),
  'permissions.answer': method(
    z.strictObject({
      requestId: idRef,
      decision: z.enum(['allow', 'deny']),
      message: z.string().max(100_000).optional(),
      updatedInput: z.record(z.string(), z.unknown()).optional(),
    }),
    returns<null>(),
    'message:send',
    "Allow or deny an agent's tool use, or answer its question (message)",
  ),

  'audit.list': method(
    z.strictObject({
      since: z.number().int().min(0).optional(),
      beforeSeq: z.number().int().min(1).optional(),
      method: z.string().min(1).max(200).optional(),
      outcome: z.string().min(1).max(100).optional(),
      tokenId: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(1_000),
    }),
    returns<AuditLogEntry[]>(),
    'audit:read',
    'The audit log, newest first (admin)',
  ),

  'events.since': method(
    z.strictObject({
      seq: z.number().int().min(0),
      limit: z.number().int().min(1).max(5_000).optional(),
    }),
    returns<EventPage>(),
    'read',
    'Stream events after a sequence number',
  ),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];

/** What a caller passes (before zod defaults/transforms). */
export type ParamsOf<M extends MethodName> = z.input<Contract[M]['input']>;
/** What the server's handler receives (after validation). */
export type ParsedParamsOf<M extends MethodName> = z.output<Contract[M]['input']>;
export type ResultOf<M extends MethodName> =
  Contract[M]['output'] extends Returns<infer O> ? O : never;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Methods whose params may be omitted entirely. */
export type OptionalParamsMethod = {
  [M in MethodName]: undefined extends ParamsOf<M> ? M : never;
}[MethodName];

/**
 * The server → client push: a batch of stream events in sequence order. `lastSeq` is the
 * sequence number of the last event the client now has (resume from it after a reconnect).
 */
export interface EventsPayload {
  events: StreamEvent[];
  lastSeq: number;
}
