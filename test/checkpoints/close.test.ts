/**
 * Closing the engine while a checkpoint is being taken: the checkpoint the caller was promised is
 * finished and stored before the database closes, and one asked for after close is refused with a
 * code, not a raw driver error. Both the main connection's snapshot and the worker thread's
 * (10,000 messages and more) are covered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { smallOrchestration } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('checkpoints while the engine closes', () => {
  it.each([
    ['on the main connection', 20],
    ['on the snapshot worker', 10_000],
  ])('a create already asked for finishes and is kept (%s)', async (_, messages) => {
    t = await tempEngine({ bus: { maxQueueSize: 20_000 } });
    const { d, a } = await smallOrchestration(t.engine);
    for (let at = 0; at < messages; at += 1_000) {
      await t.engine.bus.publishBatch(
        Array.from({ length: Math.min(1_000, messages - at) }, (_, i) => ({
          type: 'DIRECTION' as const,
          sender: d.id,
          receiver: a.id,
          content: { i: at + i },
        })),
      );
    }

    const creating = t.engine.checkpoints.create({ name: 'while closing' });
    const closing = t.engine.close();
    const created = await creating;
    await closing;

    const reopened = await t.reopen();
    const [stored] = await reopened.checkpoints.list({ name: 'while closing' });
    expect(stored?.id).toBe(created.id);
    expect(stored?.summary).toEqual(created.summary);
    expect(created.summary.messages).toBeGreaterThanOrEqual(messages);
    expect((await reopened.checkpoints.validate(created.id)).valid).toBe(true);
  });

  it('refuses a create asked for once close has begun', async () => {
    t = await tempEngine();
    await smallOrchestration(t.engine);
    const closing = t.engine.close();
    await expect(t.engine.checkpoints.create({ name: 'too late' })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('closing'),
    });
    await closing;
    const reopened = await t.reopen();
    expect(await reopened.checkpoints.list({ name: 'too late' })).toEqual([]);
  });
});
