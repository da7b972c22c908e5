import { randomFillSync } from 'node:crypto';

/** Base62 digits in ASCII order, so ids compare (as strings and in SQLite) in time order. */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_DIGITS = 9; // 62^9 ms reaches past the year 400,000
const COUNTER_DIGITS = 3; // 238,328 ids per millisecond before the counter wraps
const RANDOM_DIGITS = 10; // about 59 random bits
const COUNTER_SPAN = 62 ** COUNTER_DIGITS;

// Randomness is drawn in bulk and mapped to digits in bulk: one getRandom call or string
// conversion per id would dominate the cost of an id.
const pool = Buffer.alloc(RANDOM_DIGITS * 1024);
let digits = '';
let offset = pool.length;
let lastMs = 0;
let counter = 0;
/** The time digits of the current millisecond. */
let prefix = '';

/** Every two-digit string, so the counter's digits are two lookups, not three divisions. */
const PAIRS = Array.from(
  { length: 62 * 62 },
  (_, i) => DIGITS[Math.floor(i / 62)]! + DIGITS[i % 62],
);

function base62(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++, n = Math.floor(n / 62)) s = DIGITS[n % 62] + s;
  return s;
}

/**
 * A 22-character id: the time in milliseconds, a counter within the millisecond (from a random
 * start), then random digits. Time-ordered, so new rows land at the right-hand edge of the id
 * index instead of at random pages; 14 characters shorter than a UUID, which every message row
 * carries four times (its id, sender and receiver) and every checkpoint copies.
 */
export function newId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    // byte % 62 favours 8 digits slightly: ids need uniqueness, not uniform digits.
    for (let i = 0; i < pool.length; i++) pool[i] = DIGITS.charCodeAt(pool[i]! % 62);
    digits = pool.toString('latin1');
    offset = 0;
  }
  const at = offset;
  offset += RANDOM_DIGITS;
  const now = Date.now();
  // A clock that steps back keeps counting in the last millisecond; a counter that runs out
  // borrows the next one. Either way each id sorts after the one before.
  if (now <= lastMs && counter + 1 < COUNTER_SPAN) counter++;
  else {
    lastMs = Math.max(now, lastMs + 1);
    // From a random point in the lower half: two processes' ids rarely share a counter value.
    counter = Math.floor(Math.random() * (COUNTER_SPAN / 2));
    prefix = base62(lastMs, TIME_DIGITS);
  }
  return (
    prefix +
    DIGITS[Math.floor(counter / 3844)]! +
    PAIRS[counter % 3844]! +
    digits.slice(at, at + RANDOM_DIGITS)
  );
}
