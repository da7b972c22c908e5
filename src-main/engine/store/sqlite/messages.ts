import type { Statement } from 'better-sqlite3';
import { DatabaseError, MessageBusError, OrchestrationError } from '../../../../src-shared/errors';
import type {
  AckTarget,
  ClaimRequest,
  Failure,
  InsertResult,
  MessageCounts,
  MessageHead,
  MessageListQuery,
  MessageMatch,
  MessageRecord,
  MessageState,
  MessageStore,
  NewMessage,
  RetryPolicy,
} from '../port';
import type { SqliteDb } from './database';
import { SharedWrites } from './shared-writes';

interface MessageRow {
  seq: number;
  id: string;
  type: string;
  priority: number;
  sender: string;
  receiver: string | null;
  receiver_id: string | null;
  created_at: number;
  content: string;
  metadata: string;
  tags: string | null;
  correlation_id: string | null;
  state: MessageState;
  attempts: number;
  max_retries: number;
  available_at: number;
  lease_until: number | null;
  lease_owner: string | null;
  delivered_at: number | null;
  acknowledged_at: number | null;
  failure_reason: string | null;
  requires_response: number;
  response_deadline: number | null;
  expires_at: number | null;
}

function fromRow(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    type: row.type as MessageRecord['type'],
    priority: row.priority,
    sender: row.sender,
    receiver: row.receiver ?? row.receiver_id,
    receiverId: row.receiver_id,
    timestamp: row.created_at,
    content: row.content,
    metadata: row.metadata,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as string[]),
    correlationId: row.correlation_id,
    state: row.state,
    attempts: row.attempts,
    maxRetries: row.max_retries,
    availableAt: row.available_at,
    leaseUntil: row.lease_until,
    leaseOwner: row.lease_owner,
    deliveredAt: row.delivered_at,
    acknowledgedAt: row.acknowledged_at,
    failureReason: row.failure_reason,
    requiresResponse: row.requires_response === 1,
    responseDeadline: row.response_deadline,
    expiresAt: row.expires_at,
    key: row.seq,
  };
}

function byQueueOrder(a: MessageRow, b: MessageRow): number {
  return b.priority - a.priority || a.seq - b.seq;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** One subscription filter as SQL; parameters are appended to `params` in order. */
function matchClause(match: MessageMatch, params: unknown[]): string {
  const parts: string[] = [];
  if (match.types) {
    parts.push(`type IN (${placeholders(match.types.length)})`);
    params.push(...match.types);
  }
  if (match.priorities) {
    parts.push(`priority IN (${placeholders(match.priorities.length)})`);
    params.push(...match.priorities);
  }
  if (match.senders) {
    parts.push(`sender IN (${placeholders(match.senders.length)})`);
    params.push(...match.senders);
  }
  if (match.receivers) {
    const n = placeholders(match.receivers.length);
    // A broadcast has neither; a message addressed by id stores only receiver_id (RECEIVER).
    parts.push(
      `((receiver IS NULL AND receiver_id IS NULL) OR receiver IN (${n}) OR receiver_id IN (${n}))`,
    );
    params.push(...match.receivers, ...match.receivers);
  }
  if (match.tags) {
    parts.push(
      `EXISTS (SELECT 1 FROM json_each(messages.tags) WHERE json_each.value IN (${placeholders(match.tags.length)}))`,
    );
    params.push(...match.tags);
  }
  return parts.length === 0 ? '1' : parts.join(' AND ');
}

const RETRY_SET = `
  state = CASE WHEN attempts > max_retries THEN 'dead' ELSE 'pending' END,
  dead_at = CASE WHEN attempts > max_retries THEN @now END,
  available_at = CASE WHEN attempts > max_retries THEN available_at
    ELSE @now + min(@max, @base * (1 << min(max(attempts - 1, 0), 30))) END,
  lease_until = NULL, lease_owner = NULL`;

export class SqliteMessageStore implements MessageStore {
  private readonly claimCache = new Map<string, Statement>();
  private readonly inserts = new Map<number, Statement>();
  private readonly bulkAcks = new Map<number, Statement>();
  /**
   * At least the number of unacknowledged (pending or leased) messages, or null: count them.
   * Counting reads every entry of two partial indexes, which made each publish commit cost
   * grow with the queue's depth (publishing at 200k deep ran at a third of the empty-queue
   * rate). Publishes add to the bound; only an exact count, taken when the bound passes the
   * limit, lowers it. Whatever else adds unacknowledged rows forgets it (forgetQueueSize).
   */
  private unackedAtMost: number | null = null;
  /** PRAGMA data_version when the bound was set: another connection's commit changes it. */
  private boundVersion = -1;
  private readonly s;
  // Built once: better-sqlite3's transaction() wraps a function in four new ones per call.
  private readonly insertAll;
  private readonly ackAll;
  private readonly extendAll;
  private readonly claimRun;

  constructor(
    private readonly db: SqliteDb,
    private readonly writes: SharedWrites = new SharedWrites(db),
  ) {
    this.s = {
      get: db.prepare<[string], MessageRow>(`SELECT * FROM messages WHERE id = ?`),
      // No content: up to 1 MiB a message, and the stream does not carry it.
      newest: db.prepare<[number], MessageHead>(
        `SELECT ${HEAD} FROM messages ORDER BY seq DESC LIMIT ?`,
      ),
      // No index on acknowledged_at (every acknowledgement would pay for one): a scan, run once
      // after a crash.
      acknowledgedSince: db.prepare<[number, number], MessageHead>(
        `SELECT ${HEAD} FROM messages WHERE acknowledged_at >= ? ORDER BY seq LIMIT ?`,
      ),
      // Through the dead messages' own index (messages_dead), not every row.
      deadSince: db.prepare<[number, number], MessageHead>(
        `SELECT ${HEAD} FROM messages WHERE state = 'dead' AND dead_at >= ? ORDER BY seq LIMIT ?`,
      ),
      dataVersion: db.prepare<[], number>(`PRAGMA data_version`).pluck(),
      queueSize: db.prepare<[], { n: number }>(
        `SELECT (SELECT count(*) FROM messages WHERE state = 'pending')
                + (SELECT count(*) FROM messages WHERE state = 'leased') AS n`,
      ),
      // No RETURNING: SQLite collects RETURNING rows in a temporary b-tree per statement run.
      ack: db.prepare<[number, string]>(
        `UPDATE messages SET state = 'acknowledged', acknowledged_at = ?, lease_until = NULL, lease_owner = NULL
         WHERE id = ? AND state IN ('pending', 'leased')`,
      ),
      // By rowid (no walk down the id index); the id still has to match the row.
      ackByKey: db.prepare<[number, number, string]>(
        `UPDATE messages SET state = 'acknowledged', acknowledged_at = ?, lease_until = NULL, lease_owner = NULL
         WHERE seq = ? AND id = ? AND state IN ('pending', 'leased')`,
      ),
      extend: db.prepare<[number, string, string]>(
        `UPDATE messages SET lease_until = ? WHERE id = ? AND state = 'leased' AND lease_owner = ?`,
      ),
      extendByKey: db.prepare<[number, number, string, string]>(
        `UPDATE messages SET lease_until = ?
         WHERE seq = ? AND id = ? AND state = 'leased' AND lease_owner = ?`,
      ),
      fail: db.prepare(
        `UPDATE messages SET ${RETRY_SET}, failure_reason = @reason WHERE id = @id AND state = 'leased'
         RETURNING state`,
      ),
      dead: db.prepare<[string, number, string], { id: string }>(
        `UPDATE messages SET state = 'dead', failure_reason = ?, dead_at = ?, lease_until = NULL,
           lease_owner = NULL
         WHERE id = ? AND state IN ('pending', 'leased') RETURNING id`,
      ),
      requeue: db.prepare<[number, string], { id: string }>(
        `UPDATE messages SET state = 'pending', attempts = 0, available_at = ?, failure_reason = NULL,
           dead_at = NULL
         WHERE id = ? AND state = 'dead' RETURNING id`,
      ),
      // A sweep, not a hot path: RETURNING tells which of them the last attempt dead-lettered.
      expireLeases: db.prepare(
        `UPDATE messages SET ${RETRY_SET},
           failure_reason = 'lease expired: not acknowledged within the lease'
         WHERE state = 'leased' AND lease_until <= @now RETURNING id, state, failure_reason AS reason`,
      ),
      expireTtl: db.prepare<{ now: number }, Failure>(
        `UPDATE messages SET state = 'dead', failure_reason = 'expired: not delivered before its TTL',
           dead_at = @now
         WHERE state = 'pending' AND expires_at <= @now RETURNING id, failure_reason AS reason`,
      ),
      release: db.prepare(
        `UPDATE messages SET state = 'pending', lease_until = NULL, lease_owner = NULL
         WHERE state = 'leased' AND lease_owner = ?`,
      ),
      // coalesce(receiver_id, receiver) is the expression of the messages_to index (migration 8).
      resolve: db.prepare(
        `UPDATE messages SET receiver_id = ? WHERE coalesce(receiver_id, receiver) = ?
         AND receiver_id IS NULL AND state != 'acknowledged'`,
      ),
      counts: db.prepare<[], Record<string, number | null>>(`SELECT count(*) AS total,
          coalesce(sum(state = 'pending'), 0) AS pending, coalesce(sum(state = 'leased'), 0) AS leased,
          coalesce(sum(state = 'acknowledged'), 0) AS acknowledged, coalesce(sum(state = 'dead'), 0) AS dead,
          coalesce(sum(delivered_at IS NOT NULL), 0) AS delivered,
          avg(delivered_at - created_at) AS latency FROM messages`),
      wakeup: db.prepare<[number], { t: number | null }>(`SELECT min(t) AS t FROM (
          SELECT min(available_at) AS t FROM messages
            WHERE state = 'pending' AND available_at > created_at AND available_at > ?
          UNION ALL SELECT min(lease_until) FROM messages WHERE state = 'leased'
          UNION ALL SELECT min(expires_at) FROM messages WHERE state = 'pending' AND expires_at IS NOT NULL)`),
    };
    this.insertAll = db.transaction((messages: readonly NewMessage[], maxQueueSize: number) =>
      this.insertRows(messages, maxQueueSize),
    );
    // A transaction function so a claim can carry the queued acknowledgements (SharedWrites).
    this.claimRun = db.transaction((stmt: Statement, args: unknown[]) => stmt.all(...args));
    // All or nothing, so a batch with one target that is not acknowledgeable any more rolls back
    // (its own savepoint) and goes row by row, which tells which ones this call acknowledged.
    const ackBulk = db.transaction((targets: readonly AckTarget[], now: number) => {
      for (let from = 0; from < targets.length; from += BULK_ACK_MAX) {
        const part = targets.slice(from, from + BULK_ACK_MAX);
        const size = bulkAckSize(part.length);
        const args: unknown[] = new Array(1 + 2 * size).fill(null);
        args[0] = now;
        part.forEach((t, i) => {
          args[1 + i] = t.key;
          args[1 + size + i] = t.id;
        });
        if (this.bulkAck(size).run(...args).changes !== part.length) throw ACK_MISMATCH;
      }
    });
    const ackOne = ({ id, key }: AckTarget, now: number) =>
      (key != null ? this.s.ackByKey.run(now, key, id) : this.s.ack.run(now, id)).changes === 1;
    this.ackAll = db.transaction((targets: readonly AckTarget[], now: number) => {
      if (targets.length >= BULK_ACK_MIN && targets.every((t) => t.key != null)) {
        try {
          ackBulk(targets, now);
          return targets.map((t) => t.id);
        } catch (error) {
          if (error !== ACK_MISMATCH) throw error;
        }
      }
      const done: string[] = [];
      for (const t of targets) if (ackOne(t, now)) done.push(t.id);
      return done;
    });
    this.extendAll = db.transaction(
      (targets: readonly AckTarget[], owner: string, until: number) => {
        const renewed: string[] = [];
        for (const { id, key } of targets) {
          const { changes } =
            key != null
              ? this.s.extendByKey.run(until, key, id, owner)
              : this.s.extend.run(until, id, owner);
          if (changes === 1) renewed.push(id);
        }
        return renewed;
      },
    );
  }

  /**
   * Acknowledges up to `size` messages by rowid; the ids must match too. Matching each list as a
   * set is enough: ids are unique, so a matched row is a message some target names, and a stale
   * key (a seq reused after a restore) matches nothing and leaves the count short. Unused slots
   * are NULL, which matches no row. Two IN lists cost a fifth less than a JSON list of pairs.
   */
  private bulkAck(size: number): Statement {
    let stmt = this.bulkAcks.get(size);
    if (!stmt) {
      stmt = this.db.prepare(`UPDATE messages SET state = 'acknowledged', acknowledged_at = ?,
          lease_until = NULL, lease_owner = NULL
        WHERE seq IN (${placeholders(size)}) AND id IN (${placeholders(size)})
          AND state IN ('pending', 'leased')`);
      this.bulkAcks.set(size, stmt);
    }
    return stmt;
  }

  /** A prepared multi-row INSERT for `rows` messages (one native call instead of one per row). */
  private insertStatement(rows: number): Statement {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => ROW_VALUES).join(', ');
      stmt = this.db.prepare(`INSERT INTO messages (${INSERT_COLUMNS}) VALUES ${values}
        ON CONFLICT(id) DO NOTHING`);
      this.inserts.set(rows, stmt);
    }
    return stmt;
  }

  async insert(messages: readonly NewMessage[], maxQueueSize: number): Promise<InsertResult> {
    return {
      records: guard(() => this.writes.transaction(this.insertAll, messages, maxQueueSize)),
    };
  }

  private insertRows(messages: readonly NewMessage[], maxQueueSize: number) {
    const out: InsertResult['records'] = new Array(messages.length);
    let added = 0;
    for (let from = 0; from < messages.length;) {
      const rows = chunkSize(messages.length - from);
      added += this.insertChunk(messages, from, rows, out);
      from += rows;
    }
    if (added > 0) {
      const size = this.queueSizeWith(countUnacknowledged(out), maxQueueSize);
      if (size > maxQueueSize) {
        throw new MessageBusError(
          'QUEUE_FULL',
          `The queue is full: ${size - added} messages are waiting or in flight and the limit is ` +
            `${maxQueueSize}. Nothing was published; retry once consumers catch up, or raise maxQueueSize.`,
          { details: { queueSize: size - added, maxQueueSize, rejected: added } },
        );
      }
    }
    return out;
  }

  /**
   * The queue's size with `more` unacknowledged messages just inserted (in this transaction):
   * the bound when it stays within `limit`, else an exact count, which becomes the bound.
   */
  private queueSizeWith(more: number, limit: number): number {
    const version = this.s.dataVersion.get()!;
    if (version !== this.boundVersion) this.forgetQueueSize();
    if (this.unackedAtMost !== null && this.unackedAtMost + more <= limit) {
      return (this.unackedAtMost += more);
    }
    const size = this.s.queueSize.get()!.n;
    if (size <= limit) {
      this.unackedAtMost = size;
      this.boundVersion = version;
    }
    return size;
  }

  /** The next publish counts the queue again (after restoring a checkpoint, or a requeue). */
  forgetQueueSize(): void {
    this.unackedAtMost = null;
  }

  /** Inserts messages[from, from + rows) with one statement; returns how many were new. */
  private insertChunk(
    messages: readonly NewMessage[],
    from: number,
    rows: number,
    out: InsertResult['records'],
  ): number {
    const args: unknown[] = new Array(rows * 22);
    let a = 0;
    for (let k = from; k < from + rows; k++) {
      const m = messages[k]!;
      args[a++] = m.id;
      args[a++] = m.type;
      args[a++] = m.priority;
      args[a++] = m.sender;
      args[a++] = m.receiver === m.receiverId ? null : m.receiver; // see RECEIVER
      args[a++] = m.receiverId;
      args[a++] = m.timestamp;
      args[a++] = m.content;
      args[a++] = m.metadata;
      args[a++] = m.tags ? JSON.stringify(m.tags) : null;
      args[a++] = m.correlationId;
      args[a++] = m.state;
      args[a++] = m.maxRetries;
      args[a++] = m.availableAt;
      args[a++] = m.acknowledgedAt;
      args[a++] = m.requiresResponse ? 1 : 0;
      args[a++] = m.responseDeadline;
      args[a++] = m.expiresAt;
      args[a++] = m.attempts;
      args[a++] = m.leaseUntil;
      args[a++] = m.leaseOwner;
      args[a++] = m.deliveredAt;
    }
    // Spread, not one array: better-sqlite3 reads an array's elements through a generic property
    // lookup each (a tenth of the insert's cost at 1,408 parameters).
    const info = this.insertStatement(rows).run(...args);
    const added = info.changes;
    // The rows one statement adds take consecutive seqs, in VALUES order, ending at the last one.
    const first = (info.lastInsertRowid as number) - added + 1;
    if (added === rows) {
      for (let k = 0; k < rows; k++) out[from + k] = inserted(messages[from + k]!, first + k);
      return added;
    }
    // Some ids existed already (or came twice): each row's seq tells whether this insert made it.
    const seen = new Set<string>();
    for (let k = from; k < from + rows; k++) {
      const m = messages[k]!;
      const row = this.s.get.get(m.id)!;
      const isNew = added > 0 && row.seq >= first && !seen.has(m.id);
      seen.add(m.id);
      out[k] = isNew ? inserted(m, row.seq) : { record: fromRow(row), duplicate: true };
    }
    return added;
  }

  async claim(request: ClaimRequest): Promise<MessageRecord[]> {
    if (request.matches.length === 0 || request.limit <= 0) return [];
    const key = JSON.stringify(request.matches);
    const params: unknown[] = [];
    const where = request.matches.map((m) => `(${matchClause(m, params)})`).join(' OR ');
    let stmt = this.claimCache.get(key);
    if (!stmt) {
      stmt = this.db
        .prepare(`UPDATE messages SET state = 'leased', lease_until = ?, lease_owner = ?,
          attempts = attempts + 1, delivered_at = coalesce(delivered_at, ?)
        WHERE seq IN (SELECT seq FROM messages INDEXED BY messages_ready
          WHERE state = 'pending' AND available_at <= ? AND (${where})
          ORDER BY priority DESC, seq LIMIT ?)
        RETURNING *`);
      if (this.claimCache.size > 200) this.claimCache.clear();
      this.claimCache.set(key, stmt);
    }
    const { now } = request;
    const args = [now + request.leaseMs, request.owner, now, now, ...params, request.limit];
    const rows = guard(() => this.writes.transaction(this.claimRun, stmt, args) as MessageRow[]);
    return rows.sort(byQueueOrder).map(fromRow);
  }

  /** Rides in the next write transaction (see SharedWrites): resolves once that is committed. */
  acknowledge(targets: readonly AckTarget[], now: number): Promise<string[]> {
    return this.writes.defer(this.ackAll, targets, now).catch(rethrow);
  }

  async fail(failures: readonly Failure[], policy: RetryPolicy, now: number): Promise<string[]> {
    const run = this.db.transaction(() => {
      const dead: string[] = [];
      for (const f of failures) {
        const row = this.s.fail.get({
          id: f.id,
          reason: f.reason,
          now,
          base: policy.backoffBaseMs,
          max: policy.backoffMaxMs,
        }) as { state: string } | undefined;
        if (row?.state === 'dead') dead.push(f.id);
      }
      return dead;
    });
    return guard(() => run.immediate());
  }

  async deadLetter(failures: readonly Failure[], now: number): Promise<string[]> {
    const run = this.db.transaction(() => {
      const done: string[] = [];
      for (const f of failures) if (this.s.dead.get(f.reason, now, f.id)) done.push(f.id);
      return done;
    });
    return guard(() => run.immediate());
  }

  async requeue(ids: readonly string[], now: number): Promise<string[]> {
    const run = this.db.transaction(() => {
      const done: string[] = [];
      for (const id of ids) if (this.s.requeue.get(now, id)) done.push(id);
      return done;
    });
    this.forgetQueueSize();
    return guard(() => run.immediate());
  }

  async sweep(policy: RetryPolicy, now: number): Promise<{ requeued: number; dead: Failure[] }> {
    const run = this.db.transaction(() => {
      const expired = this.s.expireLeases.all({
        now,
        base: policy.backoffBaseMs,
        max: policy.backoffMaxMs,
      }) as (Failure & { state: string })[];
      const dead: Failure[] = [];
      for (const { id, state, reason } of expired) if (state === 'dead') dead.push({ id, reason });
      const requeued = expired.length - dead.length;
      dead.push(...this.s.expireTtl.all({ now }));
      return { requeued, dead };
    });
    return guard(() => run.immediate());
  }

  /** Rides in the next write transaction, as acknowledgements do. */
  extendLeases(messages: readonly AckTarget[], owner: string, until: number): Promise<string[]> {
    return this.writes.defer(this.extendAll, messages, owner, until).catch(rethrow);
  }

  async releaseLeases(owner: string): Promise<number> {
    return guard(() => this.s.release.run(owner).changes);
  }

  async resolveReceiver(name: string, sessionId: string): Promise<number> {
    return guard(() => this.s.resolve.run(sessionId, name).changes);
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const row = guard(() => this.s.get.get(id));
    return row ? fromRow(row) : undefined;
  }

  async list(query: MessageListQuery): Promise<MessageRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.receiver) {
      // Mail addressed by id or by name lands under one index key: the resolved id, or the
      // address while no session has it. The sessions table supplies the other name of the receiver.
      where.push(`coalesce(receiver_id, receiver) IN
        (?, (SELECT id FROM sessions WHERE name = ?), (SELECT name FROM sessions WHERE id = ?))`);
      params.push(query.receiver, query.receiver, query.receiver);
    }
    if (query.sender) {
      where.push('sender = ?');
      params.push(query.sender);
    }
    if (query.state) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.type) {
      where.push('type = ?');
      params.push(query.type);
    }
    const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY priority DESC, seq LIMIT ?`;
    const rows = guard(() => this.db.prepare(sql).all(...params, query.limit) as MessageRow[]);
    return rows.map(fromRow);
  }

  async newest(limit: number): Promise<MessageHead[]> {
    return guard(() => this.s.newest.all(limit));
  }

  async acknowledgedSince(at: number, limit: number): Promise<MessageHead[]> {
    return guard(() => this.s.acknowledgedSince.all(at, limit));
  }

  async deadSince(at: number, limit: number): Promise<MessageHead[]> {
    return guard(() => this.s.deadSince.all(at, limit));
  }

  async counts(): Promise<MessageCounts> {
    const r = guard(() => this.s.counts.get()!);
    return {
      total: r.total ?? 0,
      pending: r.pending ?? 0,
      leased: r.leased ?? 0,
      acknowledged: r.acknowledged ?? 0,
      dead: r.dead ?? 0,
      delivered: r.delivered ?? 0,
      averageLatencyMs: r.latency ?? 0,
    };
  }

  async queueSize(): Promise<number> {
    return guard(() => this.s.queueSize.get()!.n);
  }

  async nextWakeup(now: number): Promise<number | null> {
    return guard(() => this.s.wakeup.get(now)!.t);
  }
}

/**
 * RECEIVER: a message addressed by the id of its receiver stores that id once, in receiver_id,
 * with receiver NULL (since schema 11; earlier rows, and checkpoints, hold it in both). Neither
 * set is a broadcast. Read back, the address is coalesce(receiver, receiver_id). The id is 22
 * of a row's ~185 bytes, and every checkpoint copies and compresses each row.
 */
export const RECEIVER_AS_ADDRESSED = 'coalesce(receiver, receiver_id)';

/** A message without its content (MessageHead); the content may be 1 MiB. */
const HEAD = `id, type, priority, sender, ${RECEIVER_AS_ADDRESSED} AS receiver, receiver_id AS receiverId,
  created_at AS timestamp, metadata, state, failure_reason AS failureReason`;

const INSERT_COLUMNS = `id, type, priority, sender, receiver, receiver_id, created_at, content,
  metadata, tags, correlation_id, state, max_retries, available_at, acknowledged_at,
  requires_response, response_deadline, expires_at, attempts, lease_until, lease_owner, delivered_at`;
const ROW_VALUES = `(${placeholders(22)})`;

/** Rows per INSERT: few statement shapes, so few prepared statements (64 rows = 1,408 parameters). */
function chunkSize(remaining: number): number {
  if (remaining >= 64) return 64;
  if (remaining >= 16) return 16;
  if (remaining >= 4) return 4;
  return 1;
}

/** How many of the records this insert made are unacknowledged (pending or leased). */
function countUnacknowledged(records: InsertResult['records']): number {
  let n = 0;
  for (const r of records) {
    if (!r.duplicate && (r.record.state === 'pending' || r.record.state === 'leased')) n++;
  }
  return n;
}

/** The new row is exactly what was inserted: the caller's object serves as the record. */
function inserted(m: NewMessage, seq: number): { record: MessageRecord; duplicate: false } {
  const record = m as MessageRecord;
  record.failureReason = null;
  record.key = seq;
  return { record, duplicate: false };
}

/** Below this, one statement per acknowledgement costs no more than a padded bulk statement. */
const BULK_ACK_MIN = 4;
/** Bulk acknowledgements per statement, in few statement shapes (the list is padded with NULLs). */
const BULK_ACK_MAX = 256;
const bulkAckSize = (n: number): number => (n <= 16 ? 16 : n <= 64 ? 64 : BULK_ACK_MAX);
const ACK_MISMATCH = new Error('an acknowledgement target is not acknowledgeable');

const rethrow = (error: unknown): never =>
  guard(() => {
    throw error;
  });

/** SQLite failures become QUERY_FAILED; our own errors pass through. */
export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof OrchestrationError) throw error;
    const e = error as Error & { code?: string };
    if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new DatabaseError('DUPLICATE_ENTRY', `Duplicate entry: ${e.message}`, { cause: error });
    }
    if (e.code === 'SQLITE_BUSY') {
      throw new DatabaseError(
        'QUERY_FAILED',
        'The database is busy (locked by another process); retry shortly.',
        {
          cause: error,
          recoverable: true,
        },
      );
    }
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE')) {
      throw new DatabaseError('QUERY_FAILED', `Database query failed: ${e.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
