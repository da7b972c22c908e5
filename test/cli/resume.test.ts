/** `orchestration run --resume RUN_ID`: carries on an interrupted run and prints its result. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import { waitFor } from '../helpers/temp-engine';
import { gatedWorkflow } from '../runs/resume-helpers';
import { cli, inProcess, scratchDir } from './helpers';

const scratch = scratchDir();
afterAll(() => {
  writeFileSync(scratch.path('gate'), ''); // lets any waiting shell end
  scratch.cleanup();
});

it('resumes an interrupted run to completion; refuses a run that is not interrupted', async () => {
  const db = scratch.path('o.db');
  const engine = await createEngine({ databasePath: db });
  const workflow = await engine.workflows.create(gatedWorkflow(scratch.dir));
  const run = await engine.runs.start(workflow.id, 'cli');
  await waitFor(
    () => ['slow1', 'slow2'].every((n) => existsSync(join(scratch.dir, `started-${n}`))),
    'both shells to start',
  );
  await engine.close(); // mid-run: interrupted

  writeFileSync(scratch.path('gate'), '');
  const resumed = await cli(['run', '--resume', run.id, '--db', db, '--json']);
  expect(resumed.stderr).toBe('');
  expect(resumed.code).toBe(0);
  const out = JSON.parse(resumed.stdout) as {
    workflow: { id: string };
    run: { id: string; status: string; result: Record<string, unknown> };
  };
  expect(out.workflow.id).toBe(workflow.id);
  expect(out.run).toMatchObject({ id: run.id, status: 'completed' });
  expect(Object.keys(out.run.result).sort()).toEqual(['quick', 'slow1', 'slow2']);

  const again = await cli(['run', '--resume', run.id, '--db', db]);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/INVALID_INPUT.*only an interrupted run can be resumed/);

  const usage = await inProcess(['run', 'file.json', '--resume', run.id]);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/--resume takes a run id only/);
}, 120_000);
