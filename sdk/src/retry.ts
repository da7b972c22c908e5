/**
 * Remote mode's answer to RATE_LIMITED: wait what the server said (`details.retryAfterMs`) and
 * call again, a bounded number of times. Safe for every method: the server refuses a call over
 * its limit before validating or doing anything, so the retried call is the first to take effect.
 */
import { OrchestrationError } from '../../src-shared/errors';

export interface RateLimitRetry {
  /** Retries per call before the RATE_LIMITED error is thrown (default 3). */
  maxRetries?: number;
  /** A server asking for a longer wait than this gets its error thrown at once (default 30 000). */
  maxWaitMs?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  maxWaitMs: number;
}

/** `false` switches retrying off; `undefined` or `true` takes the defaults. */
export function retryPolicy(option: RateLimitRetry | boolean | undefined): RetryPolicy {
  if (option === false) return { maxRetries: 0, maxWaitMs: 0 };
  const o = option === true || option === undefined ? {} : option;
  const whole = (v: unknown, fallback: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
  return { maxRetries: whole(o.maxRetries, 3), maxWaitMs: whole(o.maxWaitMs, 30_000) };
}

/** How long to wait before retry number `attempt + 1`, or undefined to give up and throw. */
export function retryDelay(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
): number | undefined {
  if (!(error instanceof OrchestrationError) || error.code !== 'RATE_LIMITED') return undefined;
  if (attempt >= policy.maxRetries) return undefined;
  const asked = error.details.retryAfterMs;
  const wait = typeof asked === 'number' && asked >= 0 ? asked : 1_000;
  if (wait > policy.maxWaitMs) return undefined;
  // Up to 25 % more, so calls refused together do not all come back in the same millisecond.
  return Math.ceil(wait * (1 + Math.random() * 0.25));
}
