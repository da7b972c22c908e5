/**
 * The extension seam: state kept outside the engine's tables (e.g. a run's worktree commits) is
 * captured with each checkpoint, checksummed with it, and handed back after a restore.
 */
import { afterEach, expect, it } from 'vitest';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

it('an extension captures its state with each checkpoint and gets it back on restore', async () => {
  t = await tempEngine();
  const { engine } = t;
  let value = 'first';
  const restored: unknown[] = [];
  engine.checkpoints.extend({
    name: 'notes',
    capture: async () => ({ head: value }),
    restore: async (data, context) => void restored.push({ data, id: context.checkpointId }),
  });
  expect(() =>
    engine.checkpoints.extend({
      name: 'notes',
      capture: async () => null,
      restore: async () => undefined,
    }),
  ).toThrow(/already registered/);

  const first = await engine.checkpoints.create({ name: 'first' });
  value = 'second';
  const result = await engine.checkpoints.restore(first.id);
  // The pre-restore checkpoint captured 'second'; the restore handed back 'first'.
  expect(restored).toEqual([{ data: { head: 'first' }, id: first.id }]);
  await engine.checkpoints.restore(result.preRestoreCheckpointId!);
  expect(restored[1]).toEqual({
    data: { head: 'second' },
    id: result.preRestoreCheckpointId,
  });
  expect(await engine.checkpoints.validate(first.id)).toMatchObject({ valid: true });

  // A failing extension is a warning, not a failed restore.
  engine.checkpoints.extend({
    name: 'broken',
    capture: async () => 1,
    restore: async () => {
      throw new Error('disk full');
    },
  });
  const again = await engine.checkpoints.restore(first.id);
  expect(again.success).toBe(true);
  expect(again.warnings.join(' ')).toMatch(/broken was not restored: .*disk full/);
});
