import { describe, expect, it } from 'vitest';
import { parsePublishFast } from '../../src-main/engine/bus/publish-input';
import { publishSchema } from '../../src-shared/schemas';

// Values that sit on and around every boundary of publishSchema.
const choices: Record<string, unknown[]> = {
  id: [undefined, '', 'a', 'x'.repeat(200), 'x'.repeat(201), 7, null],
  type: ['COMMAND', 'STATUS_UPDATE', 'NOPE', '', undefined, 3],
  priority: [undefined, 1, 4, 0, 5, 2.5, 'LOW', 'CRITICAL', 'low', 'toString', null, '2'],
  sender: ['d1', '', undefined, null, 5],
  receiver: [undefined, null, 'worker', '', 'x'.repeat(200), 'x'.repeat(201), 9],
  content: [undefined, null, { i: 1 }, 'text', [1, 2]],
  metadata: [
    undefined,
    null,
    {},
    { tags: ['a'] },
    { tags: [] },
    { tags: [''] },
    { tags: ['x'.repeat(101)] },
    { tags: Array.from({ length: 51 }, () => 't') },
    { tags: 'a' },
    { correlationId: 'c' },
    { correlationId: '' },
    { runId: 'r', extra: { deep: true } },
    [],
    'meta',
  ],
  maxRetries: [undefined, 0, 100, 101, -1, 1.5, '3', Number.NaN],
  requiresResponse: [undefined, true, false, 'yes', 1],
  responseDeadline: [undefined, 1, 0, -5, 1.5, 2 ** 60, Number.POSITIVE_INFINITY],
  delayMs: [undefined, 0, 31_536_000_000, 31_536_000_001, -1, 0.5],
  ttlMs: [undefined, 1, 0, -1, 2.5, Number.MAX_SAFE_INTEGER],
  unknownField: [undefined, 1],
};

function randomInput(random: () => number): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(choices)) {
    // Mostly valid values, so the fast path is exercised as well as the fallbacks.
    const pick = random() < 0.6 ? values.slice(0, 3) : values;
    const value = pick[Math.floor(random() * pick.length)];
    if (value !== undefined || random() < 0.3) input[key] = value;
  }
  if (random() < 0.7) delete input.unknownField;
  return input;
}

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('publish fast-path validation', () => {
  it('accepts only what publishSchema accepts, with the same result', () => {
    const random = seeded(42);
    let fast = 0;
    for (let n = 0; n < 20_000; n++) {
      const input = randomInput(random);
      const quick = parsePublishFast(input);
      const zod = publishSchema.safeParse(input);
      if (quick === undefined) continue;
      fast++;
      expect(zod.success, JSON.stringify(input)).toBe(true);
      expect(quick).toEqual(zod.data);
    }
    expect(fast).toBeGreaterThan(100);
  });

  it('takes the fast path for an ordinary message', () => {
    const input = { type: 'COMMAND', sender: 'd1', receiver: 'worker', content: { i: 1 } };
    expect(parsePublishFast(input)).toEqual(publishSchema.parse(input));
    expect(parsePublishFast({ ...input, priority: 'HIGH' })?.priority).toBe(3);
  });

  it('leaves class instances and objects with unknown fields to zod', () => {
    class Input {
      type = 'COMMAND';
      sender = 'd1';
    }
    expect(parsePublishFast(new Input())).toBeUndefined();
    expect(parsePublishFast({ type: 'COMMAND', sender: 'd1', extra: 1 })).toBeUndefined();
    expect(parsePublishFast(null)).toBeUndefined();
  });
});
