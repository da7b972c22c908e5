/**
 * The async storage port. The bus, the session registry (and later checkpoints, runs) reach the
 * database only through this interface; SQLite is the embedded adapter. Nothing outside an
 * adapter knows about SQL dialects, rowids, pragmas or synchronous calls.
 */
import type { MessageType, SessionStatus, SessionType } from '../../../src-shared/domain';

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
}

export type NewMessage = Omit<
  MessageRecord,
  'attempts' | 'leaseUntil' | 'leaseOwner' | 'deliveredAt' | 'failureReason'
>;

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

export interface InsertResult {
  /** In input order; a duplicate id yields the stored record and `duplicate: true`. */
  records: { record: MessageRecord; duplicate: boolean }[];
}

export interface MessageListQuery {
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
  /** Marks leased (or pending) messages acknowledged; returns the ids that changed. */
  acknowledge(ids: readonly string[], now: number): Promise<string[]>;
  /** Failed deliveries: retried with exponential backoff, or dead-lettered once retries are spent (ids returned). */
  fail(failures: readonly Failure[], policy: RetryPolicy, now: number): Promise<string[]>;
  /** Straight to the dead-letter queue, whatever the retry budget. */
  deadLetter(failures: readonly Failure[], now: number): Promise<string[]>;
  /** Puts dead messages back in the queue with a fresh retry budget. */
  requeue(ids: readonly string[], now: number): Promise<string[]>;
  /** Expired leases count as failed attempts; expired TTLs go to the dead-letter queue. */
  sweep(policy: RetryPolicy, now: number): Promise<{ requeued: number; dead: string[] }>;
  /** Ends every lease an owner holds (a crashed process, or a graceful shutdown). */
  releaseLeases(owner: string): Promise<number>;
  /** Points waiting mail addressed to a session's name at the session. */
  resolveReceiver(name: string, sessionId: string): Promise<number>;
  get(id: string): Promise<MessageRecord | undefined>;
  list(query: MessageListQuery): Promise<MessageRecord[]>;
  counts(): Promise<MessageCounts>;
  queueSize(): Promise<number>;
  /** The earliest moment something becomes deliverable or a lease/TTL expires, if any. */
  nextWakeup(now: number): Promise<number | null>;
}

export interface SessionRecord {
  id: string;
  type: SessionType;
  name: string;
  workspace: string | null;
  status: SessionStatus;
  state: Record<string, unknown>;
  metadata: Record<string, unknown>;
  timeoutMs: number;
  createdAt: number;
  updatedAt: number;
  lastHeartbeatAt: number | null;
  error: string | null;
}

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

export interface StoragePort {
  readonly kind: string;
  readonly messages: MessageStore;
  readonly sessions: SessionStore;
  close(): Promise<void>;
}
