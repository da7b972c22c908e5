/**
 * Per-client rate limits (SPEC.md: per client, per minute: message bus 1,000, database
 * operations 500, worker tasks 100). A token bucket per (client, bucket): it holds at most
 * `limit` units and refills `limit` units per `windowMs`, so a client may burst up to its
 * limit and then continues at limit/window. A refused call costs nothing and has no effect;
 * the caller gets RATE_LIMITED with `details.retryAfterMs`.
 */
import { OrchestrationError } from '../../../src-shared/errors';

export const RATE_BUCKETS = ['bus', 'database', 'worker'] as const;
export type RateBucket = (typeof RATE_BUCKETS)[number];

export interface RateLimits {
  /** Message bus operations (publish counts each message of a batch) per window. */
  bus: number;
  /** Database operations (reads included) per window. */
  database: number;
  /** Worker tasks (runs started/cancelled) per window. */
  worker: number;
  /** The window the limits are per; 60,000 (a minute) by default. */
  windowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  bus: 1_000,
  database: 500,
  worker: 100,
  windowMs: 60_000,
};

/** Methods that are message-bus work; see bucketOf. */
const BUS_METHODS = new Set([
  'bus.publish',
  'bus.publishBatch',
  'bus.requeue',
  'bus.acknowledge',
  'bus.reject',
  'runs.answer',
]);
/** Methods that start or stop work on the worker pool. */
const WORKER_METHODS = new Set(['runs.start', 'runs.cancel']);

/**
 * Which bucket a contract method draws from: bus writes → bus, starting/cancelling runs →
 * worker, everything else (reads included, and any method added later) → database.
 */
export function bucketOf(method: string): RateBucket {
  if (BUS_METHODS.has(method)) return 'bus';
  if (WORKER_METHODS.has(method)) return 'worker';
  return 'database';
}

/** How many units a call costs: one, or one per message for a batch publish. */
export function costOf(method: string, params: unknown): number {
  if (method === 'bus.publishBatch') {
    const messages = (params as { messages?: unknown } | null | undefined)?.messages;
    if (Array.isArray(messages) && messages.length > 0) return messages.length;
  }
  return 1;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number; limit: number };
const OK: RateDecision = Object.freeze({ ok: true });

export class RateLimiter {
  readonly limits: RateLimits;
  private readonly clients = new Map<string, Partial<Record<RateBucket, Bucket>>>();
  private sweepAt = 0;

  constructor(
    limits: Partial<RateLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    this.limits = { ...DEFAULT_RATE_LIMITS, ...given };
  }

  /** Takes `cost` units from the client's bucket, or says how long to wait. Never blocks. */
  take(clientId: string, bucket: RateBucket, cost = 1): RateDecision {
    const limit = this.limits[bucket];
    const perMs = limit / this.limits.windowMs;
    // A batch larger than the whole limit is admitted once the bucket is full (not never).
    const need = Math.min(cost, limit);
    const now = this.now();
    // Keyed by client, then bucket: no key string is built per call.
    let mine = this.clients.get(clientId);
    if (!mine) {
      mine = {};
      this.clients.set(clientId, mine);
      if (this.clients.size > 10_000) this.sweep(now);
    }
    let b = mine[bucket];
    if (!b) b = mine[bucket] = { tokens: limit, at: now };
    else if (now > b.at) {
      b.tokens = Math.min(limit, b.tokens + (now - b.at) * perMs);
      b.at = now;
    }
    if (b.tokens >= need) {
      b.tokens -= need;
      return OK;
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((need - b.tokens) / perMs)), limit };
  }

  /** take(), throwing RATE_LIMITED (details: bucket, limit, windowMs, retryAfterMs) on refusal. */
  consume(clientId: string, bucket: RateBucket, cost = 1): void {
    const d = this.take(clientId, bucket, cost);
    if (d.ok) return;
    throw new OrchestrationError(
      'RATE_LIMITED',
      `Rate limit reached: ${d.limit} ${bucket} operations per ${this.limits.windowMs / 1000} s. ` +
        `Retry in ${d.retryAfterMs} ms.`,
      {
        details: {
          bucket,
          limit: d.limit,
          windowMs: this.limits.windowMs,
          retryAfterMs: d.retryAfterMs,
        },
      },
    );
  }

  /** Forgets clients whose buckets have all refilled completely (the same as absent ones). */
  private sweep(now: number): void {
    if (now - this.sweepAt < 1_000) return;
    this.sweepAt = now;
    for (const [client, mine] of this.clients) {
      let full = true;
      for (const key of RATE_BUCKETS) {
        const b = mine[key];
        if (b && now - b.at < this.limits.windowMs) full = false;
      }
      if (full) this.clients.delete(client);
    }
  }
}
