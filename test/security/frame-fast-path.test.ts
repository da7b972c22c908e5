/**
 * decodeClientFrame checks request frames by hand before zod; it must accept exactly what
 * requestFrameSchema accepts (and hand on the same frame), over a table of near misses.
 */
import { expect, it } from 'vitest';
import { clientFrameSchema, decodeClientFrame } from '../../src-shared/protocol';

const frames: unknown[] = [
  { type: 'request', id: 1, method: 'bus.publish', params: { a: 1 } },
  { type: 'request', id: 0, method: 'engine.info' },
  { type: 'request', id: 'abc', method: 'x' },
  { type: 'request', id: -1, method: 'x' },
  { type: 'request', id: 1.5, method: 'x' },
  { type: 'request', id: 2 ** 60, method: 'x' },
  { type: 'request', id: '', method: 'x' },
  { type: 'request', id: 'i'.repeat(101), method: 'x' },
  { type: 'request', id: 1, method: '' },
  { type: 'request', id: 1, method: 'm'.repeat(101) },
  { type: 'request', id: 1, method: 7 },
  { type: 'request', id: 1 },
  { type: 'request', method: 'x' },
  { type: 'request', id: null, method: 'x' },
  { type: 'request', id: 1, method: 'x', extra: true },
  { type: 'request', id: 1, method: 'x', params: undefined },
  { type: 'Request', id: 1, method: 'x' },
  { type: 'subscribe', sinceSeq: 3 },
  { type: 'unsubscribe' },
  { type: 'subscribe', sinceSeq: -3 },
];

it.each(frames.map((f) => [JSON.stringify(f), f] as const))('%s', (_name, frame) => {
  const byZod = clientFrameSchema.safeParse(frame);
  const decoded = decodeClientFrame(JSON.stringify(frame));
  expect(decoded.ok).toBe(byZod.success);
  if (decoded.ok && byZod.success) expect(decoded.frame).toEqual(byZod.data);
});
