/**
 * The async storage port. The bus, the session registry (and later checkpoints, runs) reach the
 * database only through this interface; SQLite is the embedded adapter. Nothing outside an
 * adapter knows about SQL dialects, rowids, pragmas or synchronous calls.
 */
import type { MessageType, SessionStatus, SessionType } from '../../../src-shared/domain';
import type { CheckpointInfo } from '../../../src-shared/contract';
import type { Session } from '../../../src-shared/types';
import type { Run, RunStatus, WorkflowDefinition } from '../../../src-shared/workflow';

export type MessageState = 'pending' | 'leased' | 'acknowledged' | 'dead';

export interface MessageRecord {
  id: string;
  type: MessageType;
  priority: number;
  sender: string;
  /** The address as published: a session id or name, or null for a broadcast. */
  receiver: string | null;
  /** The session the address resolved to, once that session exists. */
  receiverId: string | null;
  timestamp: number;
  /** JSON text; the bus (de)serialises so the adapter never inspects content. */
  content: string;
  metadata: string;
  tags: string[] | null;
  correlationId: string | null;
  state: MessageState;
  attempts: number;
  maxRetries: number;
  availableAt: number;
  leaseUntil: number | null;
  leaseOwner: string | null;
  deliveredAt: number | null;
  acknowledgedAt: number | null;
  failureReason: string | null;
  requiresResponse: boolean;
  responseDeadline: number | null;
  expiresAt: number | null;
  /**
   * The adapter's own handle for the stored row (SQLite: its seq), set once stored; lets an
   * acknowledgement find the row without an id lookup. Opaque to the bus; null before insert.
   */
  key: number | null;
}

/** A message to insert; `state: 'leased'` (with its lease fields) when it is handed to a subscriber at once. */
export type NewMessage = Omit<MessageRecord, 'failureReason'>;

/** One subscription's filter, already normalised; an absent list matches anything. */
export interface MessageMatch {
  types?: readonly string[];
  priorities?: readonly number[];
  senders?: readonly string[];
  /** Matched against the published address and the resolved session id; broadcasts always match. */
  receivers?: readonly string[];
  tags?: readonly string[];
}

export interface ClaimRequest {
  matches: readonly MessageMatch[];
  limit: number;
  leaseMs: number;
  owner: string;
  now: number;
}

export interface RetryPolicy {
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface Failure {
  id: string;
  reason: string;
}

/** A message to acknowledge: its id, and the stored record's `key` when the caller has it. */
export interface AckTarget {
  id: string;
  key?: number | null;
}

export interface InsertResult {
  /** In input order; a duplicate id yields the stored record and `duplicate: true`. */
  records: { record: MessageRecord; duplicate: boolean }[];
}

/** What the event stream tells of a message: everything but its content and delivery details. */
export type MessageHead = Pick<
  MessageRecord,
  | 'id'
  | 'type'
  | 'priority'
  | 'sender'
  | 'receiver'
  | 'receiverId'
  | 'timestamp'
  | 'metadata'
  | 'state'
  | 'failureReason'
>;

export interface MessageListQuery {
  /** A session id or name: matches mail addressed by either (or to a name no session has yet). */
  receiver?: string;
  sender?: string;
  state?: MessageState;
  type?: string;
  limit: number;
}

export interface MessageCounts {
  total: number;
  pending: number;
  leased: number;
  acknowledged: number;
  dead: number;
  delivered: number;
  averageLatencyMs: number;
}

export interface MessageStore {
  /** Inserts all or nothing in one commit; refuses (QUEUE_FULL) when the queue would exceed maxQueueSize. */
  insert(messages: readonly NewMessage[], maxQueueSize: number): Promise<InsertResult>;
  /** Leases up to `limit` ready messages matching any of `matches`, by priority then FIFO. */
  claim(request: ClaimRequest): Promise<MessageRecord[]>;
  /** Marks leased (or pending) messages acknowledged (found by `key` when known); returns the ids that changed. */
  acknowledge(messages: readonly AckTarget[], now: number): Promise<string[]>;
  /** Failed deliveries: retried with exponential backoff, or dead-lettered once retries are spent (ids returned). */
  fail(failures: readonly Failure[], policy: RetryPolicy, now: number): Promise<string[]>;
  /** Straight to the dead-letter queue, whatever the retry budget. */
  deadLetter(failures: readonly Failure[], now: number): Promise<string[]>;
  /** Puts dead messages back in the queue with a fresh retry budget. */
  requeue(ids: readonly string[], now: number): Promise<string[]>;
  /**
   * Expired leases count as failed attempts (a last one dead-letters); expired TTLs go to the
   * dead-letter queue. Returns how many went back in the queue and what died, with why.
   */
  sweep(policy: RetryPolicy, now: number): Promise<{ requeued: number; dead: Failure[] }>;
  /**
   * Moves the leases `owner` still holds on these messages to `until` (their handlers are still
   * at work); returns the ids renewed. A lease already expired, taken back or settled stays so.
   */
  extendLeases(messages: readonly AckTarget[], owner: string, until: number): Promise<string[]>;
  /** Ends every lease an owner holds (a crashed process, or a graceful shutdown). */
  releaseLeases(owner: string): Promise<number>;
  /** Points waiting mail addressed to a session's name at the session. */
  resolveReceiver(name: string, sessionId: string): Promise<number>;
  get(id: string): Promise<MessageRecord | undefined>;
  list(query: MessageListQuery): Promise<MessageRecord[]>;
  /**
   * The most recently stored messages, newest first, without their content (crash recovery
   * checks the event stream against them).
   */
  newest(limit: number): Promise<MessageHead[]>;
  /**
   * Messages acknowledged at or after `at`, oldest first, at most `limit`, without their content
   * (crash recovery: an old message acknowledged just before a crash). May read every message.
   */
  acknowledgedSince(at: number, limit: number): Promise<MessageHead[]>;
  /** Messages dead-lettered at or after `at`, oldest first, at most `limit`, without their content. */
  deadSince(at: number, limit: number): Promise<MessageHead[]>;
  counts(): Promise<MessageCounts>;
  queueSize(): Promise<number>;
  /** The earliest moment something becomes deliverable or a lease/TTL expires, if any. */
  nextWakeup(now: number): Promise<number | null>;
}

/** The stored session is the public Session: nothing about it is private to storage. */
export type SessionRecord = Session;

export interface SessionEventRecord {
  seq: number;
  sessionId: string;
  at: number;
  kind: 'created' | 'status' | 'updated';
  fromStatus: SessionStatus | null;
  toStatus: SessionStatus | null;
  reason: string | null;
}

export interface SessionChange {
  name?: string;
  workspace?: string | null;
  status?: SessionStatus;
  state?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  error?: string | null;
  lastHeartbeatAt?: number;
}

export interface SessionStore {
  /** Inserts the session in one commit; DUPLICATE_ENTRY on a taken name, INVALID_INPUT beyond `maxLive` live sessions. */
  insert(session: SessionRecord, maxLive: number): Promise<void>;
  /**
   * Applies `change` only if the stored status still equals `expectedStatus` (compare-and-set),
   * recording an event in the same commit. Returns the new record, or undefined if the status moved.
   */
  update(
    id: string,
    expectedStatus: SessionStatus,
    change: SessionChange,
    event: Omit<SessionEventRecord, 'seq' | 'sessionId'>,
  ): Promise<SessionRecord | undefined>;
  get(id: string): Promise<SessionRecord | undefined>;
  getByName(name: string): Promise<SessionRecord | undefined>;
  list(filter: {
    type?: SessionType;
    statuses?: readonly SessionStatus[];
  }): Promise<SessionRecord[]>;
  history(id: string): Promise<SessionEventRecord[]>;
}

export interface WorkflowRecord {
  id: string;
  /** The validated definition; the adapter stores it as JSON. */
  definition: WorkflowDefinition;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowStore {
  /** DUPLICATE_ENTRY if the id is taken. */
  insert(workflow: WorkflowRecord): Promise<void>;
  /** Replaces the definition if the stored revision equals `expectedRevision`; undefined if it moved. */
  update(
    id: string,
    expectedRevision: number,
    definition: WorkflowDefinition,
    at: number,
  ): Promise<WorkflowRecord | undefined>;
  get(id: string): Promise<WorkflowRecord | undefined>;
  /** Newest change first. */
  list(limit: number): Promise<WorkflowRecord[]>;
  delete(id: string): Promise<boolean>;
}

export interface RunRecord extends Omit<Run, 'input' | 'result'> {
  workflowRevision: number;
  /** The definition the run executes (a snapshot: later edits of the workflow do not change a run). */
  definition: WorkflowDefinition;
  input: unknown;
  result: unknown;
  /** The engine instance executing it (see instance-registry), so a restart knows which runs died. */
  owner: string | null;
}

export type RunChange = Partial<
  Pick<RunRecord, 'status' | 'result' | 'error' | 'sessions' | 'startedAt' | 'endedAt' | 'owner'>
>;

export interface RunStore {
  insert(run: RunRecord): Promise<void>;
  /** Applies `change` only while the run is in one of `fromStatuses` (compare-and-set); undefined if not. */
  update(
    id: string,
    fromStatuses: readonly RunStatus[],
    change: RunChange,
  ): Promise<RunRecord | undefined>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  list(query: {
    workflowId?: string;
    statuses?: readonly RunStatus[];
    limit: number;
  }): Promise<RunRecord[]>;
  /** Removes the run's record while it is in one of `fromStatuses`; false if it was not. */
  delete(id: string, fromStatuses: readonly RunStatus[]): Promise<boolean>;
}

/** A committed batch of stream events: seqs firstSeq..lastSeq, in order, as one JSON array. */
export interface StreamBatchRecord {
  firstSeq: number;
  lastSeq: number;
  at: number;
  count: number;
  /** JSON text of the events array; the adapter never inspects it. */
  body: string;
}

export interface StreamStore {
  /** Appends batches in one commit; their seqs strictly increase and follow the stored ones. */
  append(batches: readonly StreamBatchRecord[]): Promise<void>;
  /** Batches holding any seq > `after`, in order, at most `limit` batches. */
  since(after: number, limit: number): Promise<StreamBatchRecord[]>;
  lastSeq(): Promise<number>;
}

/** Rows of one table, column-major names with row arrays (adapter-neutral values: text, numbers, null). */
export interface TableRows {
  columns: string[];
  rows: unknown[][];
  /**
   * The rows packed by the adapter in its own binary form instead of `rows` (then empty): copying
   * a large table inside the database and checksumming the bytes is far cheaper than building
   * row values in JavaScript. Opaque outside the adapter; `CheckpointStore.unpack` reads it.
   * In parts, which concatenated are the packed form: a decoded checkpoint hands over its
   * decompressed chunks as they are (joining tens of MB costs a copy and its page faults).
   */
  packed?: Buffer[];
  /**
   * The packed form already compressed, in independent chunks, by `codec` (a snapshot asked to
   * compress, and able to where it read the rows; then `packed` is absent). `bytes`: its length
   * uncompressed.
   */
  compressed?: { codec: string; chunks: Buffer[]; bytes: number };
  /** Row counts by message state, when the adapter counted them (messages only). */
  states?: Record<string, number>;
  /** The lowest seq among the rows (messages only; absent when there are none or unknown). */
  firstSeq?: number;
}

/**
 * How a checkpoint compresses packed rows (checkpoints/codec.ts): node:zlib's `method` with
 * `options`, the chunk's length under `sizeHintParam` in its params when given; a packed table
 * of `splitFromBytes` or more splits into equal chunks of at most `maxChunkBytes`, a multiple of
 * `parallel` of them, at most `parallel` compressed at once.
 */
export interface CompressionSpec {
  codec: string;
  method: 'brotliCompress' | 'gzip';
  options: { level?: number; params?: Record<number, number> };
  sizeHintParam?: number;
  maxChunkBytes: number;
  splitFromBytes: number;
  parallel: number;
}

/** The orchestration's state read in one consistent transaction (see checkpoints/). */
export interface SnapshotTables {
  /** The database schema version the rows were read under. */
  dbSchemaVersion: number;
  /** The highest message sequence at snapshot time: later messages did not exist yet. */
  maxMessageSeq: number;
  sessions: TableRows;
  workflows: TableRows;
  runs: TableRows;
  /** Every message that is not acknowledged (pending, leased, dead), in queue order. */
  messages: TableRows;
}

/** Stored metadata of a checkpoint: the same shape clients see. */
export type CheckpointMeta = CheckpointInfo;

export interface CheckpointQuery {
  name?: string;
  tag?: string;
  from?: number;
  to?: number;
  automatic?: boolean;
  limit: number;
}

export interface ReplaceOptions {
  /** Who owns the runs that were live at the checkpoint once restored. */
  liveRunOwner: string | null;
  /** Why, for the session events a restore writes. */
  reason: string;
  now: number;
  /** When the snapshot was taken. */
  takenAt: number;
  /** The checkpoint that becomes the head, in the same transaction. */
  head?: string;
}

export interface ReplaceResult {
  sessions: number;
  messages: number;
  removedSessions: number;
  removedMessages: number;
  /** Runs that were pending/running in the snapshot (now owned by `liveRunOwner`). */
  liveRuns: string[];
}

export interface CheckpointStore {
  /** The database schema version this adapter writes; a snapshot from a newer one cannot be restored. */
  readonly dbSchemaVersion: number;
  /** Gets ready for a large snapshot soon (the adapter may start a thread for it); never throws. */
  warm?(): void;
  /**
   * Every table a checkpoint keeps, in one read transaction. Messages: the unacknowledged ones,
   * plus acknowledged ones from `acknowledgedFromSeq` on (a pre-restore checkpoint keeps the
   * history the restore rewinds, so undoing it loses nothing). `messages: false` leaves the
   * message rows out (columns and counts only) for a caller that needs the rest only. With
   * `compress`, the adapter may hand the packed messages over already compressed (`compressed`),
   * when it can do that off the event loop.
   */
  snapshot(options?: {
    acknowledgedFromSeq?: number;
    messages?: boolean;
    compress?: CompressionSpec;
  }): Promise<SnapshotTables>;
  /**
   * One write transaction: the state becomes `tables` (leases released; sessions, workflows, runs
   * and messages not in it removed, except messages acknowledged before `maxMessageSeq`). A
   * message it lacks that is unacknowledged now but older than the snapshot (`takenAt`) was
   * acknowledged when it was taken: it is acknowledged again, not removed.
   */
  replace(tables: SnapshotTables, options: ReplaceOptions): Promise<ReplaceResult>;
  /**
   * INVALID_FORMAT unless `tables` fits this database (columns, schema version, packed rows);
   * touches nothing. `thorough` also checks the packed rows' internal structure (validate, import).
   */
  check(tables: SnapshotTables, options?: { thorough?: boolean }): void;
  /**
   * Copies the messages acknowledged up to `upToSeq` into another database this adapter wrote
   * (a fork: the history a checkpoint leaves out, which a resumed run reads); rows that database
   * holds already are kept. Returns how many were copied.
   */
  copyHistoryInto(databasePath: string, upToSeq: number): Promise<number>;
  /** The rows of a table, unpacked when the adapter packed them (compare reads every message). */
  unpack(table: TableRows): unknown[][];
  /** Messages this engine instance holds leased right now. */
  leasedBy(owner: string): Promise<number>;
  /** With `head`, the checkpoint also becomes the head, in the same transaction. */
  insert(meta: CheckpointMeta, data: Buffer, options?: { head?: boolean }): Promise<void>;
  get(id: string): Promise<CheckpointMeta | undefined>;
  data(id: string): Promise<Buffer | undefined>;
  /** Newest first. */
  list(query: CheckpointQuery): Promise<CheckpointMeta[]>;
  delete(id: string): Promise<boolean>;
  /** Deletes automatic checkpoints created before `before`; returns their ids. */
  prune(before: number): Promise<string[]>;
  /** The checkpoint the current state descends from (last created or restored). */
  head(): Promise<string | null>;
  totals(): Promise<{
    count: number;
    automatic: number;
    bytes: number;
    oldest: number | null;
    newest: number | null;
  }>;
}

/** A person's confirmation that a workflow's content may run (by content hash; see workflows/file). */
export interface TrustedContentRecord {
  /** contentHash() of the trusted workflow. */
  hash: string;
  trustedAt: number;
  by?: string;
  name?: string;
}

/** Where a stored workflow came from when it was imported from a file. */
export interface WorkflowOriginRecord {
  workflowId: string;
  /** contentHash() of the workflow as imported. */
  contentHash: string;
  importedAt: number;
  /** The file name (or another label) it came from, when known. */
  source: string | null;
}

/**
 * Trust remembered per content hash, and which workflows came from files (they may run only once
 * their content is trusted). Compatible with workflows/file's TrustStore.
 */
export interface WorkflowTrustStore {
  get(hash: string): Promise<TrustedContentRecord | undefined>;
  trust(record: TrustedContentRecord): Promise<void>;
  revoke(hash: string): Promise<boolean>;
  /** Oldest first. */
  list(): Promise<TrustedContentRecord[]>;
  /** Records (or replaces) a workflow's file origin. */
  markImported(origin: WorkflowOriginRecord): Promise<void>;
  origin(workflowId: string): Promise<WorkflowOriginRecord | undefined>;
}

export interface StoragePort {
  readonly kind: string;
  readonly messages: MessageStore;
  readonly sessions: SessionStore;
  readonly workflows: WorkflowStore;
  readonly runs: RunStore;
  readonly stream: StreamStore;
  readonly checkpoints: CheckpointStore;
  /** Trusted workflow content and imported workflows' origins (engine.files). */
  readonly trust: WorkflowTrustStore;
  /** API tokens (hashed) and the audit log; see engine/security. */
  readonly tokens: TokenStore;
  readonly audit: AuditStore;
  close(): Promise<void>;
}

/** An API token as stored: only the sha256 of the secret, never the secret itself. */
export interface TokenRecord {
  id: string;
  /** sha256 of the token, hex. */
  hash: string;
  role: string;
  label: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface TokenStore {
  /** DUPLICATE_ENTRY if the id or hash is taken. */
  insert(token: TokenRecord): Promise<void>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  get(id: string): Promise<TokenRecord | undefined>;
  /** Oldest first. */
  list(): Promise<TokenRecord[]>;
  /** Sets revokedAt unless already revoked; true if the token exists. */
  revoke(id: string, at: number): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
}

/** One audit row: who (token, role, transport), what (method), when, outcome ('ok' or an error code). */
export interface AuditRecord {
  at: number;
  tokenId: string | null;
  role: string | null;
  transport: string;
  method: string;
  outcome: string;
  /** A short, secret-free note (e.g. "retryAfterMs=1200", the refused Origin). */
  detail: string | null;
  /** The remote address, when the transport has one. */
  client: string | null;
}

export interface AuditQuery {
  since?: number;
  /** Rows older than this seq (the next page after a page ending at it). */
  beforeSeq?: number;
  method?: string;
  outcome?: string;
  tokenId?: string;
  limit: number;
}

export interface AuditStore {
  /** Appends rows in one commit. */
  append(rows: readonly AuditRecord[]): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<(AuditRecord & { seq: number })[]>;
  /** Deletes rows older than `before`; returns how many. */
  prune(before: number): Promise<number>;
}
