import { expect, it } from 'vitest';
import { newId } from '../../src-main/engine/ids';

it('makes unique, time-ordered UUIDv7 ids', () => {
  const ids = Array.from({ length: 3000 }, newId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect([...ids].sort()).toEqual(ids);
  expect(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)).toBeLessThanOrEqual(Date.now());
});
