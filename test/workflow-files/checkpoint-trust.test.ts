/**
 * A workflow that arrives inside an imported checkpoint is someone else's content, like a file:
 * after the restore, runs.start refuses it (FORBIDDEN, nothing started) until a person trusts
 * its content hash. Two real engines on two SQLite files; the checkpoint travels as bytes.
 */
import { afterEach, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

const open: TempEngine[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.cleanup();
});

const definition: WorkflowDefinition = {
  name: 'Greeter',
  sessions: [
    {
      id: 'lead',
      type: 'director',
      name: 'Lead',
      runner: { kind: 'fan-out' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'greet',
      type: 'department',
      name: 'Greet',
      runner: { kind: 'script', source: 'async function handle() { return { hi: 1 }; }' },
      position: { x: 300, y: 0 },
    },
  ],
  edges: [{ id: 'e', from: 'lead', to: 'greet' }],
};

async function engines() {
  const a = await tempEngine();
  const b = await tempEngine();
  open.push(a, b);
  return { a: a.engine, b: b.engine };
}

it('a workflow restored from an imported checkpoint runs only once trusted', async () => {
  const { a, b } = await engines();
  const workflow = await a.workflows.create(definition);
  expect((await a.files.status(workflow.id)).trusted).toBe(true); // made here: runnable
  const checkpoint = await a.checkpoints.create({ name: 'shared' });
  const bytes = await a.checkpoints.exportCheckpoint(checkpoint.id);

  const imported = await b.checkpoints.importCheckpoint(bytes);
  await b.checkpoints.restore(imported.id);
  const status = await b.files.status(workflow.id);
  expect(status).toMatchObject({ imported: true, trusted: false, source: 'checkpoint "shared"' });

  const refusal = await b.runs.start(workflow.id, null).catch((e: unknown) => e);
  expect(refusal).toMatchObject({ code: 'FORBIDDEN' });
  expect((refusal as { details: { whatItRuns: unknown[] } }).details.whatItRuns).toHaveLength(2);
  expect(await b.runs.list()).toEqual([]);

  await b.files.trust(workflow.id, status.contentHash, 'test');
  const run = await b.runs.start(workflow.id, null);
  expect((await b.runs.wait(run.id, 20_000)).status).toBe('completed');
});

it('importing a checkpoint of content this database already has changes nothing', async () => {
  const { a, b } = await engines();
  const workflow = await a.workflows.create(definition);
  const first = await a.checkpoints.create({ name: 'one' });
  // Another engine's checkpoint of the same workflow (same id, same content) comes back.
  const bytes = await a.checkpoints.exportCheckpoint(first.id);
  await b.checkpoints.importCheckpoint(bytes);
  const back = await b.checkpoints.exportCheckpoint((await b.checkpoints.list())[0]!.id);
  await a.checkpoints.delete(first.id);
  await a.checkpoints.importCheckpoint(back);
  expect(await a.files.status(workflow.id)).toMatchObject({ imported: false, trusted: true });
});
