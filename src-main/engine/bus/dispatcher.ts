/**
 * Delivery: leases ready messages from the store in batches (priority, then FIFO), hands each
 * to every in-process subscription whose filter matches, and acknowledges it once all of them
 * succeeded — or fails it (retry with backoff, then dead letter) if one threw.
 * Acks and failures are group-committed like publishes.
 */
import { ValidationError } from '../../../src-shared/errors';
import type { Message } from '../../../src-shared/types';
import type { TypedEmitter } from '../events';
import type { EngineEvents } from '../engine-events';
import type {
  Failure,
  MessageMatch,
  MessageRecord,
  MessageStore,
  NewMessage,
  RetryPolicy,
} from '../store/port';
import { matches } from './filters';
import { GroupCommit } from './group-commit';
import { toMessage } from './message-view';

export type MessageHandler = (message: Message) => void | Promise<void>;

export interface SubscribeOptions {
  /** true (default): a handler that returns (or resolves) acknowledges; false: call acknowledge(id) yourself. */
  autoAck?: boolean;
  /** Handler calls in flight at once for this subscription; 1 (default) keeps strict order. */
  concurrency?: number;
}

export interface DispatcherOptions {
  owner: string;
  leaseMs: number;
  maxInFlight: number;
  batchSize: number;
  pollIntervalMs: number;
  retry: RetryPolicy;
  now: () => number;
}

interface Subscription {
  match: MessageMatch;
  handler: MessageHandler;
  autoAck: boolean;
  concurrency: number;
  queue: InFlight[];
  running: number;
  closed: boolean;
}

interface InFlight {
  record: MessageRecord;
  message: Message;
  remaining: number;
  failure: string | null;
  manual: boolean;
  done: boolean;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export class Dispatcher {
  private readonly subs = new Set<Subscription>();
  private readonly inflight = new Map<string, InFlight>();
  private readonly acks: GroupCommit<string, string>;
  /** Handled deliveries waiting for this turn's acknowledgement commit (no promise per message). */
  private autoAcks: InFlight[] = [];
  private autoAcking: Promise<void> = Promise.resolve();
  private autoAckTurn: Promise<void> | undefined;
  private readonly fails: GroupCommit<Failure, string>;
  private pumping = false;
  private again = false;
  /** Whether ready messages for the current subscriptions may be waiting in the store. */
  private backlog = true;
  private kickScheduled = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: MessageStore,
    private readonly events: TypedEmitter<EngineEvents>,
    private readonly options: DispatcherOptions,
  ) {
    this.acks = new GroupCommit(async (groups) => {
      const done = new Set(
        await this.store.acknowledge(
          groups.flat().map((id) => ({ id })),
          this.options.now(),
        ),
      );
      return groups.map((ids) => ids.filter((id) => done.has(id)));
    });
    this.fails = new GroupCommit(async (groups) => {
      const dead = new Set(
        await this.store.fail(groups.flat(), this.options.retry, this.options.now()),
      );
      return groups.map((fs) => fs.filter((f) => dead.has(f.id)).map((f) => f.id));
    });
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  get inFlightCount(): number {
    return this.inflight.size;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  subscribe(
    match: MessageMatch,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): () => void {
    if (typeof handler !== 'function') {
      throw new ValidationError(
        'INVALID_INPUT',
        'subscribe needs a handler function.',
        'handler',
        handler,
      );
    }
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ValidationError(
        'INVALID_INPUT',
        'concurrency must be a whole number ≥ 1.',
        'concurrency',
        concurrency,
      );
    }
    const sub: Subscription = {
      match,
      handler,
      autoAck: options.autoAck ?? true,
      concurrency,
      queue: [],
      running: 0,
      closed: false,
    };
    this.subs.add(sub);
    this.backlog = true;
    this.kick();
    return () => {
      if (sub.closed) return;
      sub.closed = true;
      this.subs.delete(sub);
      // Prefetched deliveries it never started go back to the queue (as a failed attempt) rather than being acknowledged.
      for (const entry of sub.queue.splice(0)) {
        this.settle(entry, sub, new Error('the subscriber unsubscribed before handling it'));
      }
    };
  }

  /** Something outside the dispatcher made messages ready (a requeue, another process). */
  markBacklog(): void {
    this.backlog = true;
    this.kick();
  }

  /**
   * Direct hand-over: called just before a publish commits. While nothing older is waiting for
   * the current subscriptions, a message one of them wants is inserted already leased and routed
   * from memory (deliverDirect), which saves the claim round trip. As soon as anything may be
   * waiting, messages take the normal path so priority and FIFO order hold.
   */
  leaseDirect(messages: NewMessage[]): number {
    if (this.stopped || this.subs.size === 0) return 0;
    if (this.pumping || this.backlog) {
      this.backlog = true;
      // A claim in progress may already have looked past these rows: make the pump go round again.
      if (this.pumping) this.again = true;
      return 0;
    }
    const now = this.options.now();
    let room = this.options.maxInFlight - this.inflight.size;
    let leased = 0;
    for (const m of messages) {
      if (m.state !== 'pending' || m.availableAt > now || !this.wanted(m)) continue;
      if (room-- <= 0) {
        this.backlog = true;
        break;
      }
      m.state = 'leased';
      m.attempts = 1;
      m.leaseUntil = now + this.options.leaseMs;
      m.leaseOwner = this.options.owner;
      m.deliveredAt = now;
      leased++;
    }
    return leased;
  }

  /** Undoes leaseDirect when the insert failed (nothing was written). */
  unleaseDirect(messages: NewMessage[]): void {
    for (const m of messages) {
      if (m.state !== 'leased' || m.leaseOwner !== this.options.owner) continue;
      m.state = 'pending';
      m.attempts = 0;
      m.leaseUntil = null;
      m.leaseOwner = null;
      m.deliveredAt = null;
    }
    this.backlog = true;
  }

  /** Routes messages that leaseDirect leased, once they are committed. */
  deliverDirect(committed: { record: MessageRecord; message: Message }[]): void {
    const subs = [...this.subs];
    for (const { record, message } of committed) this.route(record, subs, message);
    for (const sub of subs) this.run(sub);
  }

  private wanted(m: NewMessage): boolean {
    for (const sub of this.subs) if (matches(sub.match, m as MessageRecord)) return true;
    return false;
  }

  /** Coalesces wake-ups into one pump per turn; nothing to do while no backlog can exist. */
  kick(): void {
    if (this.kickScheduled || this.stopped || !this.backlog) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      void this.pump();
    });
  }

  async acknowledge(id: string): Promise<boolean> {
    const entry = this.inflight.get(id);
    if (entry && !entry.done) {
      entry.done = true;
      await this.finishAck(entry);
      return true;
    }
    const done = await this.acks.submit([id]);
    if (done.length) {
      this.events.emit('message.acknowledged', { id });
      return true;
    }
    const record = await this.store.get(id);
    if (!record)
      throw new ValidationError('INVALID_INPUT', `No message with id "${id}".`, 'id', id);
    if (record.state === 'dead') {
      throw new ValidationError(
        'INVALID_INPUT',
        `Message "${id}" is in the dead-letter queue (${record.failureReason}); requeue it before acknowledging.`,
        'id',
        id,
      );
    }
    return false;
  }

  async reject(id: string, reason: string): Promise<void> {
    const entry = this.inflight.get(id);
    if (entry) entry.done = true;
    const dead = await this.store.deadLetter([{ id, reason }], this.options.now());
    this.inflight.delete(id);
    if (dead.length) {
      this.events.emit('message.dead', { id, reason });
      this.kick();
      return;
    }
    const record = await this.store.get(id);
    if (!record)
      throw new ValidationError('INVALID_INPUT', `No message with id "${id}".`, 'id', id);
    throw new ValidationError(
      'INVALID_INPUT',
      `Message "${id}" is ${record.state}; only a pending or delivered message can be rejected.`,
      'id',
      id,
    );
  }

  /**
   * Forgets every delivery under way (a checkpoint restore replaced the messages under them):
   * deliveries queued behind a running handler never start, and a handler that finishes later
   * neither acknowledges nor fails the message, whose restored copy is delivered again. Acks
   * waiting for this turn's commit are dropped too. acknowledge(id) by hand is not fenced.
   */
  abandonDeliveries(): void {
    for (const sub of this.subs) sub.queue.length = 0;
    for (const entry of this.inflight.values()) entry.done = true;
    this.inflight.clear();
    this.autoAcks = [];
    this.backlog = true;
    this.kick();
  }

  /** Stops delivering, lets running handlers finish (up to drainMs), commits their outcome, returns the rest. */
  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.wakeTimer);
    for (const sub of this.subs) sub.queue.length = 0;
    const deadline = Date.now() + drainMs;
    while ([...this.subs].some((s) => s.running > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await this.flushAutoAcks();
    await this.acks.flush();
    await this.fails.flush();
    this.subs.clear();
    this.inflight.clear();
    await this.store.releaseLeases(this.options.owner);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const now = this.options.now();
      // Retries, delayed mail and other processes' publishes may have become ready.
      this.backlog = true;
      // Before the sweep, which would take back a lease whose handler is still at work.
      await this.renewLeases(now);
      const { dead } = await this.store.sweep(this.options.retry, now);
      for (const { id, reason } of dead) this.events.emit('message.dead', { id, reason });
      for (const [id, entry] of this.inflight) {
        // The store took back expired leases; forget our copy so a late ack cannot double-count.
        if (
          entry.record.leaseUntil !== null &&
          entry.record.leaseUntil <= now &&
          entry.remaining === 0
        ) {
          this.inflight.delete(id);
        }
      }
      this.kick();
      const next = await this.store.nextWakeup(now);
      if (next !== null && next - now < this.options.pollIntervalMs) {
        clearTimeout(this.wakeTimer);
        this.wakeTimer = setTimeout(() => void this.tick(), Math.max(0, next - now));
        this.wakeTimer.unref();
      }
    } catch (error) {
      console.error('orchestration: bus maintenance failed', error);
    }
  }

  /**
   * A message this process still holds (a handler at work on it, or waiting its turn) keeps its
   * lease: renewed for another leaseMs once half of it is spent, so a handler slower than the
   * lease is not handed the same message again. A process that dies stops renewing, and its
   * leases run out as before. A manually acknowledged message whose handler returned is not
   * held: it gets leaseMs to be acknowledged.
   */
  private async renewLeases(now: number): Promise<void> {
    const due: InFlight[] = [];
    for (const entry of this.inflight.values()) {
      const until = entry.record.leaseUntil;
      if (entry.remaining > 0 && until !== null && until - now <= this.options.leaseMs / 2)
        due.push(entry);
    }
    if (due.length === 0) return;
    const until = now + this.options.leaseMs;
    const renewed = new Set(
      await this.store.extendLeases(
        due.map((e) => e.record),
        this.options.owner,
        until,
      ),
    );
    for (const entry of due) if (renewed.has(entry.record.id)) entry.record.leaseUntil = until;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        if (this.stopped || this.subs.size === 0 || !this.backlog) break;
        const capacity = this.options.maxInFlight - this.inflight.size;
        if (capacity <= 0) break;
        const limit = Math.min(capacity, this.options.batchSize);
        const subs = [...this.subs];
        const records = await this.store.claim({
          matches: subs.map((s) => s.match),
          limit,
          leaseMs: this.options.leaseMs,
          owner: this.options.owner,
          now: this.options.now(),
        });
        for (const record of records) this.route(record, subs);
        for (const sub of subs) this.run(sub);
        this.backlog = records.length === limit;
        if (this.backlog) this.again = true;
      } while (this.again);
    } catch (error) {
      console.error('orchestration: delivery failed; retrying on the next tick', error);
    } finally {
      this.pumping = false;
    }
  }

  private route(record: MessageRecord, subs: Subscription[], message?: Message): void {
    const entry: InFlight = {
      record,
      message: message ?? toMessage(record),
      remaining: 0,
      failure: null,
      manual: false,
      done: false,
    };
    this.inflight.set(record.id, entry);
    // Queued only: handlers start in run(), after message.delivered below.
    for (const sub of subs) {
      if (sub.closed || !matches(sub.match, record)) continue;
      sub.queue.push(entry);
      entry.remaining++;
    }
    if (entry.remaining === 0) {
      entry.failure = 'no subscriber matched when it was delivered';
      void this.finishFail(entry);
      return;
    }
    if (this.events.has('message.delivered')) this.events.emit('message.delivered', entry.message);
  }

  private run(sub: Subscription): void {
    while (sub.running < sub.concurrency && sub.queue.length > 0 && !sub.closed) {
      const entry = sub.queue.shift()!;
      sub.running++;
      let result: void | Promise<void>;
      try {
        result = sub.handler(entry.message);
      } catch (error) {
        sub.running--;
        this.settle(entry, sub, error ?? new Error('handler threw'));
        continue;
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(
          () => {
            sub.running--;
            this.settle(entry, sub, null);
            this.run(sub);
          },
          (error: unknown) => {
            sub.running--;
            this.settle(entry, sub, error ?? new Error('handler rejected'));
            this.run(sub);
          },
        );
      } else {
        sub.running--;
        this.settle(entry, sub, null);
      }
    }
  }

  private settle(entry: InFlight, sub: Subscription, error: unknown): void {
    entry.remaining--;
    if (error !== null) entry.failure ??= reasonOf(error);
    else if (!sub.autoAck) entry.manual = true;
    if (entry.remaining > 0 || entry.done) return;
    if (entry.failure !== null) {
      entry.done = true;
      void this.finishFail(entry);
    } else if (!entry.manual) {
      entry.done = true;
      void this.finishAck(entry);
    }
  }

  /** Resolves once the acknowledgement is committed (one promise per turn, not per message). */
  private finishAck(entry: InFlight): Promise<void> {
    this.autoAcks.push(entry);
    return (this.autoAckTurn ??= new Promise((resolve) =>
      setImmediate(() => {
        this.autoAckTurn = undefined;
        resolve(this.flushAutoAcks());
      }),
    ));
  }

  /** Commits the turn's acknowledgements in one transaction, then reports each. */
  private flushAutoAcks(): Promise<void> {
    const batch = this.autoAcks;
    if (batch.length === 0) return this.autoAcking;
    this.autoAcks = [];
    this.autoAcking = this.autoAcking.then(async () => {
      const ids = batch.map((e) => e.record.id);
      try {
        await this.store.acknowledge(
          batch.map((e) => e.record),
          this.options.now(),
        );
        for (const id of ids) this.events.emit('message.acknowledged', { id });
      } catch (error) {
        // The leases will expire and the messages will be delivered again: at-least-once.
        console.error(`orchestration: acknowledging ${ids.length} messages failed`, error);
      } finally {
        for (const id of ids) this.inflight.delete(id);
        this.kick();
      }
    });
    return this.autoAcking;
  }

  private async finishFail(entry: InFlight): Promise<void> {
    const id = entry.record.id;
    const reason = entry.failure ?? 'failed';
    try {
      this.backlog = true;
      const dead = await this.fails.submit([{ id, reason }]);
      this.events.emit('message.failed', { id, reason });
      if (dead.length) this.events.emit('message.dead', { id, reason });
    } catch (error) {
      console.error(`orchestration: recording the failure of ${id} failed`, error);
    } finally {
      this.inflight.delete(id);
      this.kick();
    }
  }
}
