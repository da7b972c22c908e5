import { afterEach, expect, it, vi } from 'vitest';
import { newId } from '../../src-main/engine/ids';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The millisecond in an id's first nine digits. */
const timeOf = (id: string) => [...id.slice(0, 9)].reduce((n, d) => n * 62 + DIGITS.indexOf(d), 0);

afterEach(() => vi.restoreAllMocks());

it('makes unique, time-ordered 22-digit base62 ids', () => {
  const before = Date.now();
  const ids = Array.from({ length: 3000 }, newId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
  expect([...ids].sort()).toEqual(ids);
  expect(timeOf(ids[0]!)).toBeGreaterThanOrEqual(before);
  expect(timeOf(ids.at(-1)!)).toBeLessThanOrEqual(Date.now());
});

it('stays ordered when the clock steps back and when a millisecond runs out of counter', () => {
  const now = vi.spyOn(Date, 'now');
  const at = Date.now() + 60_000;
  now.mockReturnValue(at);
  const first = newId();
  now.mockReturnValue(at - 5_000); // the clock steps back five seconds
  const afterStep = Array.from({ length: 10 }, newId);
  // 250,000 ids in one millisecond: more than its counter holds.
  const burst = Array.from({ length: 250_000 }, newId);
  const ids = [first, ...afterStep, ...burst];
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
  expect(timeOf(afterStep[0]!)).toBe(at);
  expect(timeOf(burst.at(-1)!)).toBeGreaterThan(at); // borrowed the next millisecond
});
