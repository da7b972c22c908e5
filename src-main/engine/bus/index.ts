import {
  SYSTEM_SENDER,
  SYSTEM_TYPES,
  allowedTypes,
  type MessageType,
  type SessionType,
} from '../../../src-shared/domain';
import { MessageBusError, OrchestrationError, ValidationError } from '../../../src-shared/errors';
import {
  messageQuerySchema,
  publishSchema,
  type MessageQuery,
  type PublishInput,
  type SubscriptionFilter,
} from '../../../src-shared/schemas';
import type { BusHealth, BusStats, Message, MessageMetadata } from '../../../src-shared/types';
import { validate } from '../../../src-shared/validate';
import type { TypedEmitter } from '../events';
import { newId } from '../ids';
import type { EngineEvents } from '../engine-events';
import type { SessionRegistry } from '../sessions';
import type { MessageMatch, MessageStore, NewMessage } from '../store/port';
import { Dispatcher, type MessageHandler, type SubscribeOptions } from './dispatcher';
import { toMatch } from './filters';
import { GroupCommit, type GroupResult } from './group-commit';
import { toMessage } from './message-view';

export type { MessageHandler, SubscribeOptions };

export interface BusOptions {
  maxQueueSize: number;
  maxContentBytes: number;
  maxBatchSize: number;
  defaultMaxRetries: number;
  leaseMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollIntervalMs: number;
  maxInFlight: number;
  deliveryBatchSize: number;
  owner: string;
  now: () => number;
}

export const DEFAULT_BUS_OPTIONS: Omit<BusOptions, 'owner' | 'now'> = {
  maxQueueSize: 10_000,
  maxContentBytes: 1024 * 1024,
  maxBatchSize: 1_000,
  defaultMaxRetries: 3,
  leaseMs: 30_000,
  backoffBaseMs: 100,
  backoffMaxMs: 30_000,
  pollIntervalMs: 100,
  maxInFlight: 2_048,
  deliveryBatchSize: 256,
};

interface Waiter {
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const SYSTEM: readonly string[] = SYSTEM_TYPES;

/** A validated message on its way to the store, with its content still parsed. */
interface Prepared {
  record: NewMessage;
  content: unknown;
  metadata: MessageMetadata;
}

interface Row {
  message: Message;
  duplicate: boolean;
}

export class MessageBus {
  private readonly publishes: GroupCommit<Prepared, Row>;
  private readonly dispatcher: Dispatcher;
  private readonly waiters = new Map<string, Waiter>();
  private accepting = true;

  constructor(
    private readonly store: MessageStore,
    private readonly sessions: SessionRegistry,
    private readonly events: TypedEmitter<EngineEvents>,
    private readonly options: BusOptions,
  ) {
    this.publishes = new GroupCommit((groups) => this.commit(groups));
    this.dispatcher = new Dispatcher(store, events, {
      owner: options.owner,
      leaseMs: options.leaseMs,
      maxInFlight: options.maxInFlight,
      batchSize: options.deliveryBatchSize,
      pollIntervalMs: options.pollIntervalMs,
      retry: { backoffBaseMs: options.backoffBaseMs, backoffMaxMs: options.backoffMaxMs },
      now: options.now,
    });
  }

  start(): void {
    this.dispatcher.start();
  }

  /** Resolves once the message is committed to the database. A repeated `id` returns the stored message. */
  async publish(input: PublishInput): Promise<Message> {
    const [message] = await this.publishBatch([input]);
    return message!;
  }

  /** All or nothing: every message is validated first, then all commit together. */
  async publishBatch(inputs: readonly PublishInput[]): Promise<Message[]> {
    this.assertOpen();
    if (!Array.isArray(inputs) || inputs.length === 0) {
      throw new ValidationError(
        'INVALID_INPUT',
        'publishBatch needs a non-empty array of messages.',
        'messages',
        inputs,
      );
    }
    if (inputs.length > this.options.maxBatchSize) {
      throw new ValidationError(
        'INVALID_INPUT',
        `A batch holds at most ${this.options.maxBatchSize} messages; this one has ${inputs.length}. Split it.`,
        'messages',
        inputs.length,
      );
    }
    const prepared = await Promise.all(
      inputs.map((input, i) => this.prepare(input, inputs.length > 1 ? i : -1)),
    );
    const results = await this.publishes.submit(prepared);
    const out = results.map((r) => r.message);
    for (let i = 0; i < out.length; i++) {
      const message = out[i]!;
      if (results[i]!.duplicate) continue;
      this.events.emit('message.published', message);
      const waiter = message.metadata.correlationId
        ? this.waiters.get(message.metadata.correlationId)
        : undefined;
      if (waiter && message.state === 'acknowledged') {
        this.waiters.delete(message.metadata.correlationId!);
        clearTimeout(waiter.timer);
        waiter.resolve(message);
      }
    }
    this.dispatcher.kick();
    return out;
  }

  /**
   * Publishes a message that requires a response and resolves with the first message whose
   * metadata.correlationId is this message's id; MESSAGE_TIMEOUT after `timeoutMs`.
   */
  async request(input: PublishInput, timeoutMs = 30_000): Promise<Message> {
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new ValidationError(
        'INVALID_INPUT',
        'timeoutMs must be a positive whole number.',
        'timeoutMs',
        timeoutMs,
      );
    }
    const id = (input && typeof input === 'object' && input.id) || newId();
    const response = new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(
          new MessageBusError(
            'MESSAGE_TIMEOUT',
            `No response to ${input.type} ${id} from ${input.receiver ?? 'any subscriber'} within ${timeoutMs} ms.`,
            { details: { messageId: id, timeoutMs } },
          ),
        );
      }, timeoutMs);
      this.waiters.set(id, { resolve, reject, timer });
    });
    try {
      await this.publish({
        ...input,
        id,
        requiresResponse: true,
        responseDeadline: this.options.now() + timeoutMs,
      });
    } catch (error) {
      const waiter = this.waiters.get(id);
      if (waiter) clearTimeout(waiter.timer);
      this.waiters.delete(id);
      throw error;
    }
    return response;
  }

  /** Answers `request`: addressed to its sender, correlated by its id. */
  respond(
    request: Pick<Message, 'id' | 'sender'>,
    input: Omit<PublishInput, 'receiver'>,
  ): Promise<Message> {
    return this.publish({
      ...input,
      receiver: request.sender,
      metadata: { ...input.metadata, correlationId: request.id },
    });
  }

  /**
   * Delivers every matching message to `handler` (at least once). Returns the unsubscribe function.
   * Senders and receivers may be given by session id or name.
   */
  subscribe(
    filter: SubscriptionFilter | undefined,
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): () => void {
    this.assertOpen();
    const match = this.withAliases(toMatch(filter));
    return this.dispatcher.subscribe(match, handler, options);
  }

  acknowledge(id: string): Promise<boolean> {
    return this.dispatcher.acknowledge(this.requireId(id));
  }

  /** Sends the message to the dead-letter queue with `reason`. */
  reject(id: string, reason: string): Promise<void> {
    if (typeof reason !== 'string' || reason.length === 0) {
      throw new ValidationError('MISSING_FIELD', 'reject needs a reason.', 'reason', reason);
    }
    return this.dispatcher.reject(this.requireId(id), reason);
  }

  async deadLetters(limit = 100): Promise<Message[]> {
    return this.list({ state: 'dead', limit });
  }

  /** Gives a dead message a fresh retry budget and queues it again. */
  async requeue(id: string): Promise<void> {
    const done = await this.store.requeue([this.requireId(id)], this.options.now());
    if (done.length === 0) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Message "${id}" is not in the dead-letter queue.`,
        'id',
        id,
      );
    }
    this.dispatcher.markBacklog();
  }

  async get(id: string): Promise<Message | undefined> {
    const record = await this.store.get(this.requireId(id));
    return record && toMessage(record);
  }

  async list(query?: MessageQuery): Promise<Message[]> {
    const q = validate(messageQuerySchema, query, 'message query') ?? {};
    const records = await this.store.list({ ...q, limit: q.limit ?? 100 });
    return records.map((r) => toMessage(r));
  }

  /** What waits for a receiver (by id or name), registered or not, in delivery order. */
  mailbox(receiver: string, limit = 100): Promise<Message[]> {
    return this.list({ receiver, state: 'pending', limit });
  }

  async stats(): Promise<BusStats> {
    const c = await this.store.counts();
    return {
      published: c.total,
      delivered: c.delivered,
      acknowledged: c.acknowledged,
      failed: c.dead,
      pending: c.pending,
      inFlight: c.leased,
      averageLatencyMs: c.averageLatencyMs,
      queueSize: c.pending + c.leased,
      maxQueueSize: this.options.maxQueueSize,
      subscribers: this.dispatcher.subscriberCount,
    };
  }

  async health(): Promise<BusHealth> {
    const queueSize = await this.store.queueSize();
    const fill = queueSize / this.options.maxQueueSize;
    const status = fill > 0.9 ? 'unhealthy' : fill >= 0.7 ? 'degraded' : 'healthy';
    return {
      status,
      queueSize,
      maxQueueSize: this.options.maxQueueSize,
      fill,
      accepting: this.accepting,
    };
  }

  /** Refuses new publishes, commits what was accepted, lets handlers finish, returns unacked leases. */
  async shutdown(drainMs = 5_000): Promise<void> {
    if (!this.accepting) return;
    this.accepting = false;
    await this.publishes.flush();
    await this.dispatcher.stop(drainMs);
    for (const [id, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(
        new OrchestrationError(
          'SERVICE_UNAVAILABLE',
          `The bus shut down before ${id} was answered.`,
        ),
      );
    }
    this.waiters.clear();
  }

  private assertOpen(): void {
    if (!this.accepting) {
      throw new OrchestrationError(
        'SERVICE_UNAVAILABLE',
        'The message bus has been shut down; open a new engine.',
      );
    }
  }

  private requireId(id: unknown): string {
    if (typeof id !== 'string' || id.length === 0) {
      throw new ValidationError('MISSING_FIELD', 'A message id is required.', 'id', id);
    }
    return id;
  }

  /** Adds the other name of each known session (id ↔ name) so filters match however mail was addressed. */
  private withAliases(match: MessageMatch): MessageMatch {
    const expand = (list: readonly string[] | undefined) => {
      if (!list) return undefined;
      const out = new Set(list);
      for (const key of list) for (const alias of this.sessions.aliasesOf(key)) out.add(alias);
      return [...out];
    };
    const senders = expand(match.senders);
    const receivers = expand(match.receivers);
    return { ...match, ...(senders && { senders }), ...(receivers && { receivers }) };
  }

  private async prepare(input: PublishInput, index: number) {
    const where = index >= 0 ? ` [${index}]` : '';
    const p = validate(publishSchema, input, `message${where}`, {
      codes: { type: 'INVALID_MESSAGE', content: 'INVALID_MESSAGE' },
    });
    let content: string | undefined;
    try {
      content = JSON.stringify(p.content ?? null);
    } catch (cause) {
      throw new ValidationError(
        'INVALID_FORMAT',
        `content must be JSON: ${(cause as Error).message}`,
        'content',
        undefined,
      );
    }
    if (content === undefined) {
      throw new ValidationError(
        'INVALID_FORMAT',
        'content must be JSON (got a function or symbol).',
        'content',
        undefined,
      );
    }
    if (
      content.length > this.options.maxContentBytes / 3 &&
      Buffer.byteLength(content) > this.options.maxContentBytes
    ) {
      throw new ValidationError(
        'INVALID_MESSAGE',
        `content is ${Buffer.byteLength(content)} bytes as JSON; the limit is ${this.options.maxContentBytes} ` +
          `(maxContentBytes). Send a reference (a path or URL) instead of the data.`,
        'content',
        undefined,
        {
          details: {
            sizeBytes: Buffer.byteLength(content),
            limitBytes: this.options.maxContentBytes,
          },
        },
      );
    }
    const sender = await this.resolveSender(p.sender, p.type);
    const receiver = p.receiver ? await this.sessions.typeOf(p.receiver) : undefined;
    if (sender.type) this.checkDirection(p.type, sender.type, receiver?.type, p.receiver ?? null);
    const metadata = p.metadata ?? {};
    const now = this.options.now();
    const correlationId = metadata.correlationId ?? null;
    const answersWaiter = correlationId !== null && this.waiters.has(correlationId);
    const record: NewMessage = {
      id: p.id ?? newId(),
      type: p.type,
      priority: p.priority ?? 2,
      sender: sender.id,
      receiver: p.receiver ?? null,
      receiverId: receiver?.id ?? null,
      timestamp: now,
      content,
      metadata: JSON.stringify(metadata),
      tags: metadata.tags ?? null,
      correlationId,
      // A response the requester is waiting for in this process is consumed on arrival.
      state: answersWaiter ? 'acknowledged' : 'pending',
      acknowledgedAt: answersWaiter ? now : null,
      attempts: 0,
      leaseUntil: null,
      leaseOwner: null,
      deliveredAt: null,
      maxRetries: p.maxRetries ?? this.options.defaultMaxRetries,
      availableAt: now + (p.delayMs ?? 0),
      requiresResponse: p.requiresResponse ?? false,
      responseDeadline: p.responseDeadline ?? null,
      expiresAt: p.ttlMs ? now + p.ttlMs : null,
    };
    return { record, content: p.content ?? null, metadata };
  }

  private async resolveSender(
    sender: string,
    type: MessageType,
  ): Promise<{ id: string; type?: SessionType }> {
    if (sender === SYSTEM_SENDER) {
      if (!SYSTEM.includes(type)) {
        throw new ValidationError(
          'INVALID_INPUT',
          `The "system" sender only sends system messages (${SYSTEM.join(', ')}), not ${type}.`,
          'sender',
          sender,
        );
      }
      return { id: SYSTEM_SENDER };
    }
    if (SYSTEM.includes(type)) {
      throw new ValidationError(
        'INVALID_MESSAGE',
        `${type} is a system message; only the engine sends it.`,
        'type',
        type,
      );
    }
    const found = await this.sessions.typeOf(sender);
    if (!found) {
      throw new ValidationError(
        'INVALID_INPUT',
        `sender "${sender}" is not a session. Create the session first (sessions.create) and send with its id or name.`,
        'sender',
        sender,
      );
    }
    return found;
  }

  private checkDirection(
    type: MessageType,
    from: SessionType,
    to: SessionType | undefined,
    receiver: string | null,
  ) {
    const allowed = allowedTypes(from, to);
    if (allowed.includes(type)) return;
    const target = to ? `a ${to}` : receiver ? `"${receiver}"` : 'a broadcast';
    throw new ValidationError(
      'INVALID_MESSAGE',
      allowed.length
        ? `${type} cannot go from a ${from} to ${target}; a ${from} may send ${allowed.join(', ')} there.`
        : `A ${from} cannot send messages to ${target} (observers only watch).`,
      'type',
      type,
      { details: { from, to: to ?? null } },
    );
  }

  private async commit(groups: Prepared[][]): Promise<GroupResult<Row>[]> {
    const insert = async (items: Prepared[]): Promise<Row[]> => {
      const direct = this.dispatcher.leaseDirect(items.map((p) => p.record));
      const { records } = await this.store.insert(
        items.map((p) => p.record),
        this.options.maxQueueSize,
      );
      const rows = records.map(({ record, duplicate }, i) => ({
        duplicate,
        record,
        message: duplicate ? toMessage(record) : toMessage(record, items[i]!),
      }));
      if (direct > 0) {
        this.dispatcher.deliverDirect(
          rows.filter((r) => !r.duplicate && r.record.leaseOwner === this.options.owner),
        );
      }
      return rows;
    };
    try {
      const rows = await insert(groups.flat());
      let at = 0;
      return groups.map((g) => rows.slice(at, (at += g.length)));
    } catch (error) {
      if (groups.length === 1) throw error;
      // One group may overflow the queue; commit the others on their own so only it fails.
      const out: GroupResult<Row>[] = [];
      for (const group of groups) {
        try {
          out.push(await insert(group));
        } catch (groupError) {
          out.push(groupError as Error);
        }
      }
      return out;
    }
  }
}
