/** `orchestration checkpoint create | list | restore` through the real CLI. */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import type { Checkpoint, RestoreResult } from '../../src-main/engine/checkpoints';
import { sampleDefinition } from '../workflow-files/samples';
import { cli, scratchDir } from './helpers';

const SLOW = 120_000;
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

async function workflowNames(db: string): Promise<string[]> {
  const engine = await createEngine({ databasePath: db });
  try {
    return (await engine.workflows.list()).map((w) => w.definition.name).sort();
  } finally {
    await engine.close();
  }
}

describe('orchestration checkpoint', () => {
  it(
    'create → (change) → list → restore puts the state back',
    async () => {
      const db = scratch.path('cp.db');
      const seeded = await createEngine({ databasePath: db });
      await seeded.workflows.create(sampleDefinition());
      await seeded.close();

      const created = await cli([
        'checkpoint',
        'create',
        'before change',
        '--description',
        'one workflow',
        '--tag',
        'cli',
        '--db',
        db,
        '--json',
      ]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const checkpoint = JSON.parse(created.stdout) as Checkpoint;
      expect(checkpoint).toMatchObject({ name: 'before change', tags: ['cli'], automatic: false });

      // Change the state: a second workflow.
      const changer = await createEngine({ databasePath: db });
      await changer.workflows.create({ ...sampleDefinition(), name: 'Added later' });
      await changer.close();
      expect(await workflowNames(db)).toHaveLength(2);

      const listed = await cli(['checkpoint', 'list', '--db', db]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(checkpoint.id);
      expect(listed.stdout).toContain('before change');

      const restored = await cli(['checkpoint', 'restore', checkpoint.id, '--db', db, '--json']);
      expect(restored.code).toBe(0);
      const result = JSON.parse(restored.stdout) as RestoreResult;
      expect(result).toMatchObject({ success: true, restoredFrom: checkpoint.id });
      expect(result.restored.workflows).toBe(1);
      expect(result.preRestoreCheckpointId).toBeTruthy();
      expect(await workflowNames(db)).toEqual([sampleDefinition().name]);
    },
    SLOW,
  );
});
