/**
 * The one API of OrchestrationClient, the same in embedded and remote mode. Every method returns
 * a promise and fails with an OrchestrationError whose `code` is the same in both modes.
 */
import type {
  CheckpointComparison,
  CheckpointInfo,
  CheckpointRestoreResult,
  EngineInfo,
  EventPage,
  ExportFileResult,
  FileCheckResult,
  ImportFileResult,
  PermissionRequest,
  TrustResult,
  WaitingMessage,
} from '../../src-shared/contract';
import type { SessionStatus } from '../../src-shared/domain';
import type {
  MessageQuery,
  PublishInput,
  SessionCreateInput,
  SessionListQuery,
  SessionUpdateInput,
  SubscriptionFilter,
} from '../../src-shared/schemas';
import type { StreamEvent, StreamEventKind } from '../../src-shared/stream';
import type {
  BusHealth,
  BusStats,
  Message,
  Session,
  SessionHistoryEntry,
} from '../../src-shared/types';
import type { Run, RunStatus, Workflow, WorkflowDefinition } from '../../src-shared/workflow';
import type {
  CheckpointQueryInput,
  CreateCheckpointInput,
  RestoreOptions,
} from '../../src-main/engine/checkpoints';
import type { PermissionAnswer } from '../../src-main/engine/runners/claude-code';

export type ClientMode = 'embedded' | 'remote';

export interface SessionsApi {
  create(input: SessionCreateInput): Promise<Session>;
  /** By id or unique name; undefined when there is none. */
  get(idOrName: string): Promise<Session | undefined>;
  list(query?: SessionListQuery): Promise<Session[]>;
  update(idOrName: string, changes: SessionUpdateInput): Promise<Session>;
  setStatus(idOrName: string, status: SessionStatus, reason?: string): Promise<Session>;
  terminate(idOrName: string, reason?: string): Promise<Session>;
  /** Records that the session is alive (resets its timeout); `session:update` remotely. */
  heartbeat(idOrName: string): Promise<Session>;
  history(idOrName: string): Promise<SessionHistoryEntry[]>;
}

export type MessageHandler = (message: Message) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * Embedded: true (default) acknowledges when the handler returns; false leaves it to you.
   * Remote: ignored — a remote subscription observes and never acknowledges by itself.
   */
  autoAck?: boolean;
  /** Handler calls in flight at once for this subscription; 1 (default) keeps strict order. */
  concurrency?: number;
  /** Remote only: where a handler's failure goes (default: console.error). */
  onError?: (error: unknown, message: Message) => void;
}

export interface MessageBusApi {
  /** Resolves once the message is committed. */
  publish(input: PublishInput): Promise<Message>;
  /** All or nothing. */
  publishBatch(inputs: readonly PublishInput[]): Promise<Message[]>;
  /** Publishes and resolves with the first message whose metadata.correlationId is its id. */
  request(input: PublishInput, timeoutMs?: number): Promise<Message>;
  /** Answers `request`: addressed to its sender, correlated by its id. */
  respond(
    request: Pick<Message, 'id' | 'sender'>,
    input: Omit<PublishInput, 'receiver'>,
  ): Promise<Message>;
  /**
   * Embedded: delivers every matching message at least once (leased, acknowledged when the
   * handler returns, retried when it throws). Remote: observes — the handler sees each matching
   * message that is pending when it subscribes and each one published after, once, without
   * taking or acknowledging it; call acknowledge/reject by id. Returns the unsubscribe function.
   */
  subscribe(
    filter: SubscriptionFilter | undefined,
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): () => void;
  acknowledge(id: string): Promise<boolean>;
  reject(id: string, reason: string): Promise<void>;
  deadLetters(limit?: number): Promise<Message[]>;
  requeue(id: string): Promise<void>;
  get(id: string): Promise<Message | undefined>;
  list(query?: MessageQuery): Promise<Message[]>;
  mailbox(receiver: string, limit?: number): Promise<Message[]>;
  stats(): Promise<BusStats>;
  health(): Promise<BusHealth>;
}

export interface ImportFileOptions {
  /** A workflow of the same name exists: refuse (DUPLICATE_ENTRY, the default), rename, replace. */
  onNameClash?: 'refuse' | 'rename' | 'replace';
  /** Store under this name instead of the file's. */
  name?: string;
}

export interface WorkflowsApi {
  list(query?: { limit?: number }): Promise<Workflow[]>;
  get(id: string): Promise<Workflow | undefined>;
  create(definition: WorkflowDefinition): Promise<Workflow>;
  /** With `expectedRevision`, refused (INVALID_INPUT) if someone saved in between. */
  update(id: string, definition: WorkflowDefinition, expectedRevision?: number): Promise<Workflow>;
  delete(id: string): Promise<boolean>;
  /** Stores a `.orchestration.json` file's workflow (migrated if older); never runs or trusts it. */
  importFile(text: string, options?: ImportFileOptions): Promise<ImportFileResult>;
  /** A stored workflow (by id) as canonical file text, secrets left out. */
  exportFile(id: string): Promise<ExportFileResult>;
  /** Every problem of a file at once, with its JSON path; never throws for a bad file. */
  validateFile(text: string): Promise<FileCheckResult>;
  /**
   * Trusts what an imported workflow runs (`contentHash` from importFile/validateFile: what you
   * were shown). An imported workflow's runs are refused with FORBIDDEN until it is trusted.
   */
  trust(id: string, contentHash: string): Promise<TrustResult>;
}

export interface RunsApi {
  /** Resolves once the run is `running`. */
  start(workflowId: string, input?: unknown): Promise<Run>;
  get(id: string): Promise<Run | undefined>;
  list(query?: { workflowId?: string; status?: RunStatus; limit?: number }): Promise<Run[]>;
  cancel(id: string, reason?: string): Promise<Run>;
  /**
   * Carries on an `interrupted` run (its engine stopped mid-run, or a checkpoint restore caught it
   * running): resolves with the `running` run. INVALID_INPUT for a run in any other status.
   */
  resume(id: string): Promise<Run>;
  /**
   * Deletes a run that is over, with its worktrees (a branch with unmerged work is kept);
   * false when there is no such run. INVALID_INPUT for a live run: cancel it first.
   */
  delete(id: string): Promise<boolean>;
  /** Resolves with the run once it is over; TASK_TIMEOUT after `timeoutMs` (default 60 s). */
  wait(id: string, timeoutMs?: number): Promise<Run>;
  /** Manual steps waiting for a person. */
  waiting(runId?: string): Promise<WaitingMessage[]>;
  /** Answers a waiting manual step; its content becomes the department's result. */
  answer(messageId: string, content: unknown): Promise<void>;
}

/** How a person answers a waiting agent: allow/deny, a reason or the answer to a question. */
export type PermissionAnswerInput = PermissionAnswer;

export interface PermissionsApi {
  /** Agents waiting for a person (tool permissions, questions), oldest first. */
  list(runId?: string): Promise<PermissionRequest[]>;
  /**
   * Allows or denies a waiting tool use, or answers a question. INVALID_INPUT when nothing waits
   * under `requestId` (answered already, or its run ended).
   */
  answer(requestId: string, answer: PermissionAnswerInput): Promise<void>;
}

export interface CheckpointsApi {
  create(input: CreateCheckpointInput): Promise<CheckpointInfo>;
  list(query?: CheckpointQueryInput): Promise<CheckpointInfo[]>;
  get(id: string): Promise<CheckpointInfo | undefined>;
  /** Puts the whole orchestration back (the current state is checkpointed first). */
  restore(id: string, options?: RestoreOptions): Promise<CheckpointRestoreResult>;
  compare(a: string, b: string, limit?: number): Promise<CheckpointComparison>;
  delete(id: string): Promise<boolean>;
}

export type EventsListener = (events: StreamEvent[]) => void;

export interface EventsApi {
  /** Events after `seq`, oldest first, and the newest seq the engine has. */
  since(seq: number, limit?: number): Promise<EventPage>;
  /**
   * Live batches of events in seq order. With `sinceSeq`, first replays what came after it (no
   * gap, no duplicate). Resolves with the unsubscribe function once listening.
   */
  subscribe(listener: EventsListener, options?: { sinceSeq?: number }): Promise<() => void>;
}

export type EventOf<K extends StreamEventKind> = Extract<StreamEvent, { kind: K }>;

/** What a mode implements; OrchestrationClient adds the closed-check and exposes it. */
export interface Backend {
  readonly mode: ClientMode;
  readonly sessions: SessionsApi;
  readonly messageBus: MessageBusApi;
  readonly workflows: WorkflowsApi;
  readonly runs: RunsApi;
  readonly checkpoints: CheckpointsApi;
  readonly permissions: PermissionsApi;
  readonly events: EventsApi;
  info(): Promise<EngineInfo>;
  close(): Promise<void>;
}

export type {
  CheckpointComparison,
  CheckpointInfo,
  CheckpointRestoreResult,
  EngineInfo,
  EventPage,
  ExportFileResult,
  FileCheckResult,
  ImportFileResult,
  PermissionRequest,
  TrustResult,
  WaitingMessage,
};
