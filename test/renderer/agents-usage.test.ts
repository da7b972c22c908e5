/**
 * Tokens and cost roll-up from reports as the bus stores them: a real engine (SQLite file),
 * departments publishing completions and progress shaped like the claude-code runner's, read
 * back with the bus query the inspector uses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addUsage,
  formatTokens,
  formatUsd,
  NO_USAGE,
  rollUp,
  sessionUsage,
  totalTokens,
  usageOf,
  type Usage,
} from '../../src-renderer/src/agents/usage';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

let t: TempEngine;
let director: string;
let deps: string[];

beforeEach(async () => {
  t = await tempEngine();
  director = (await t.engine.sessions.create({ type: 'director', name: 'lead' })).id;
  deps = [
    (await t.engine.sessions.create({ type: 'department', name: 'front' })).id,
    (await t.engine.sessions.create({ type: 'department', name: 'back' })).id,
  ];
});
afterEach(() => t.cleanup());

/** What the claude-code runner answers a finished task with. */
const completion = (input: number, output: number, costUsd: number) => ({
  summary: 'done',
  costUsd,
  totalCostUsd: costUsd,
  usage: {
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: 10,
    cacheCreationInputTokens: 5,
  },
});

const publish = (
  sender: string,
  type: 'COMPLETION_NOTIFICATION' | 'PROGRESS_REPORT',
  content: unknown,
) => t.engine.bus.publish({ type, sender, receiver: director, content });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function usageOfSession(id: string): Promise<Usage> {
  const done = await t.engine.bus.list({
    sender: id,
    type: 'COMPLETION_NOTIFICATION',
    limit: 1000,
  });
  const progress = await t.engine.bus.list({ sender: id, type: 'PROGRESS_REPORT', limit: 1000 });
  return sessionUsage([...progress, ...done]);
}

describe('usage from reports', () => {
  it('sums completions, counts progress only after the last one, and rolls up to the run', async () => {
    const [front, back] = deps as [string, string];
    // front: a progress report inside task 1 (its completion covers it), two completed tasks,
    // then a running third task that has reported tokens so far.
    await publish(front, 'PROGRESS_REPORT', {
      text: 'reading',
      tokens: { input: 999, output: 999 },
    });
    await sleep(3);
    await publish(front, 'COMPLETION_NOTIFICATION', completion(100, 20, 0.01));
    await publish(front, 'PROGRESS_REPORT', { text: 'no usage here' });
    await sleep(3);
    await publish(front, 'COMPLETION_NOTIFICATION', completion(200, 40, 0.02));
    await sleep(3);
    await publish(front, 'PROGRESS_REPORT', { toolCalls: [], tokens: { input: 7, output: 3 } });
    // back: one task, API-style snake_case usage.
    await publish(back, 'COMPLETION_NOTIFICATION', {
      costUsd: 0.5,
      usage: { input_tokens: 1000, output_tokens: 300 },
    });

    const frontUsage = await usageOfSession(front);
    expect(frontUsage).toEqual({
      inputTokens: 100 + 200 + 7,
      outputTokens: 20 + 40 + 3,
      cacheReadTokens: 20,
      cacheWriteTokens: 10,
      costUsd: 0.01 + 0.02,
    });
    const backUsage = await usageOfSession(back);
    expect(backUsage).toMatchObject({ inputTokens: 1000, outputTokens: 300, costUsd: 0.5 });
    const directorUsage = await usageOfSession(director);
    expect(directorUsage).toEqual(NO_USAGE);

    const run = rollUp([
      { id: 'lead', name: 'Lead', type: 'director', usage: directorUsage },
      { id: 'front', name: 'Front', type: 'department', usage: frontUsage },
      { id: 'back', name: 'Back', type: 'department', usage: backUsage },
    ]);
    expect(run.director?.id).toBe('lead');
    expect(run.departments.map((d) => d.id)).toEqual(['front', 'back']);
    expect(run.total).toEqual(addUsage(addUsage(directorUsage, frontUsage), backUsage));
    expect(totalTokens(run.total)).toBe(307 + 63 + 30 + 1300);
  });

  it('reads no usage from content without it, and ignores nonsense numbers', () => {
    expect(usageOf('text')).toBeNull();
    expect(usageOf({ summary: 'x' })).toBeNull();
    expect(usageOf({ costUsd: 0.25 })).toEqual({ ...NO_USAGE, costUsd: 0.25 });
    expect(usageOf({ usage: { inputTokens: -5, outputTokens: Number.NaN }, cost: 'free' })).toEqual(
      NO_USAGE,
    );
  });

  it('formats tokens with separators and keeps small costs visible', () => {
    expect(formatTokens(1234567)).toBe('1,234,567');
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(2)).toBe('$2.00');
  });
});
