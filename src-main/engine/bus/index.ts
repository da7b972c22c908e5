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
  type ParsedPublish,
  type PublishInput,
  type SubscriptionFilter,
} from '../../../src-shared/schemas';
import type { BusHealth, BusStats, Message, MessageMetadata } from '../../../src-shared/types';
import { validate } from '../../../src-shared/validate';
import type { TypedEmitter } from '../events';
import { newId } from '../ids';
import type { EngineEvents } from '../engine-events';
import type { SessionRegistry } from '../sessions';
import type {
  InsertResult,
  MessageMatch,
  MessageRecord,
  MessageStore,
  NewMessage,
} from '../store/port';
import { Dispatcher, type MessageHandler, type SubscribeOptions } from './dispatcher';
import { toMatch } from './filters';
import { GroupCommit, type GroupResult } from './group-commit';
import { toMessage } from './message-view';
import { parsePublishFast } from './publish-input';

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
const EMPTY_METADATA: MessageMetadata = Object.freeze({});

/** A validated message on its way to the store, with its content still parsed. */
interface Prepared {
  record: NewMessage;
  content: unknown;
  metadata: MessageMetadata;
}

type Resolved = { id: string; type?: SessionType } | undefined;

export class MessageBus {
  private readonly publishes: GroupCommit<Prepared, Message>;
  /** Allowed types by sender type, then receiver type (no string key to build per message). */
  private readonly allowed = new Map<
    SessionType,
    Map<SessionType | undefined, readonly MessageType[]>
  >();
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
  publish(input: PublishInput): Promise<Message> {
    try {
      this.assertOpen();
      const prepared = this.prepare(input, -1);
      return prepared instanceof Promise
        ? prepared.then((p) => this.publishes.submitOne(p))
        : this.publishes.submitOne(prepared);
    } catch (error) {
      return Promise.reject(error as Error);
    }
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
    return this.publishes.submit(prepared);
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

  /**
   * After a checkpoint restore: deliveries under way belong to the abandoned timeline and settle
   * nothing (see Dispatcher.abandonDeliveries). Not part of the public API.
   */
  abandonDeliveries(): void {
    this.dispatcher.abandonDeliveries();
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

  /** Validates and resolves addresses; synchronous while both sessions are in memory. */
  private prepare(input: PublishInput, index: number): Prepared | Promise<Prepared> {
    const p =
      parsePublishFast(input) ??
      validate(publishSchema, input, `message${index >= 0 ? ` [${index}]` : ''}`, {
        codes: { type: 'INVALID_MESSAGE', content: 'INVALID_MESSAGE' },
      });
    const content = this.serialise(p.content);
    const sender = this.resolveSender(p.sender, p.type);
    const receiver = p.receiver ? this.sessions.knownType(p.receiver) : undefined;
    if (sender instanceof Promise || (p.receiver && !receiver)) {
      return (async () => {
        const s = await sender;
        const r = p.receiver ? await this.sessions.typeOf(p.receiver) : undefined;
        return this.build(p, content, s, r);
      })();
    }
    return this.build(p, content, sender, receiver);
  }

  private serialise(value: unknown): string {
    let content: string | undefined;
    try {
      content = JSON.stringify(value ?? null);
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
    return content;
  }

  private build(
    p: ParsedPublish,
    content: string,
    sender: { id: string; type?: SessionType },
    receiver: Resolved,
  ): Prepared {
    if (sender.type) this.checkDirection(p.type, sender.type, receiver?.type, p.receiver ?? null);
    const metadata = p.metadata ?? EMPTY_METADATA;
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
      metadata: metadata === EMPTY_METADATA ? '{}' : JSON.stringify(metadata),
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
      key: null,
    };
    return { record, content: p.content ?? null, metadata: p.metadata ?? {} };
  }

  private resolveSender(
    sender: string,
    type: MessageType,
  ): { id: string; type?: SessionType } | Promise<{ id: string; type?: SessionType }> {
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
    const known = this.sessions.knownType(sender);
    if (known) return known;
    return this.sessions.typeOf(sender).then((found) => {
      if (!found) {
        throw new ValidationError(
          'INVALID_INPUT',
          `sender "${sender}" is not a session. Create the session first (sessions.create) and send with its id or name.`,
          'sender',
          sender,
        );
      }
      return found;
    });
  }

  private checkDirection(
    type: MessageType,
    from: SessionType,
    to: SessionType | undefined,
    receiver: string | null,
  ) {
    let byReceiver = this.allowed.get(from);
    if (!byReceiver) this.allowed.set(from, (byReceiver = new Map()));
    let allowed = byReceiver.get(to);
    if (!allowed) byReceiver.set(to, (allowed = allowedTypes(from, to)));
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

  /**
   * Commits the turn's publishes in one transaction. Afterwards, in order: `message.published`
   * for each new message, waiting requests answered, then direct hand-over to subscribers.
   */
  private async commit(groups: Prepared[][]): Promise<GroupResult<Message>[]> {
    const insert = async (items: Prepared[]): Promise<Message[]> => {
      const records = items.map((p) => p.record);
      const direct = this.dispatcher.leaseDirect(records);
      let stored: InsertResult;
      try {
        stored = await this.store.insert(records, this.options.maxQueueSize);
      } catch (error) {
        // Nothing was written: whatever was leased in memory goes back to waiting.
        if (direct > 0) this.dispatcher.unleaseDirect(records);
        throw error;
      }
      const messages: Message[] = new Array(items.length);
      const handOver: { record: MessageRecord; message: Message }[] = [];
      for (let i = 0; i < items.length; i++) {
        const { record, duplicate } = stored.records[i]!;
        if (duplicate) {
          messages[i] = toMessage(record);
          continue;
        }
        const message = toMessage(record, items[i]!);
        messages[i] = message;
        this.events.emit('message.published', message);
        if (this.waiters.size > 0) this.answer(message);
        if (direct > 0 && record.state === 'leased' && record.leaseOwner === this.options.owner) {
          handOver.push({ record, message });
        }
      }
      if (handOver.length > 0) this.dispatcher.deliverDirect(handOver);
      this.dispatcher.kick();
      return messages;
    };
    try {
      const messages = await insert(groups.flat());
      let at = 0;
      return groups.map((g) => messages.slice(at, (at += g.length)));
    } catch (error) {
      if (groups.length === 1) throw error;
      // One group may overflow the queue; commit the others on their own so only it fails.
      const out: GroupResult<Message>[] = [];
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

  /** A published response consumed on arrival resolves the request waiting for it. */
  private answer(message: Message): void {
    const correlationId = message.metadata.correlationId;
    const waiter = correlationId ? this.waiters.get(correlationId) : undefined;
    if (waiter && message.state === 'acknowledged') {
      this.waiters.delete(correlationId!);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
    }
  }
}
