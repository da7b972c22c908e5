/** engine.files: import records the origin, runs.start refuses untrusted imported content. */
import { afterEach, describe, expect, it } from 'vitest';
import { exportWorkflow } from '../../src-main/engine/workflows/file';
import { OrchestrationError } from '../../src-shared/errors';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

/** A one-department workflow that runs offline (a script). */
const definition = (name = 'Echo'): WorkflowDefinition => ({
  name,
  sessions: [
    {
      id: 'd',
      type: 'director',
      name: 'Boss',
      runner: { kind: 'fan-out' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'e',
      type: 'department',
      name: 'Echo',
      runner: {
        kind: 'script',
        source: 'async function handle(m) { return { echo: m.content }; }',
      },
      position: { x: 300, y: 0 },
    },
  ],
  edges: [{ id: 'de', from: 'd', to: 'e' }],
});

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function refusal(promise: Promise<unknown>): Promise<OrchestrationError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestrationError);
  return error as OrchestrationError;
}

describe('engine.files', () => {
  it('an imported workflow is refused by runs.start until its content is trusted; nothing runs', async () => {
    t = await tempEngine();
    const { engine } = t;
    const imported = await engine.files.import(exportWorkflow(definition()), {
      source: 'echo.json',
    });
    expect(imported.trusted).toBe(false);
    const status = await engine.files.status(imported.workflow.id);
    expect(status).toMatchObject({ imported: true, trusted: false, source: 'echo.json' });
    expect(status.contentHash).toBe(imported.contentHash);

    const error = await refusal(engine.runs.start(imported.workflow.id, 1));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details.contentHash).toBe(imported.contentHash);
    expect(error.details.whatItRuns).toHaveLength(2);
    expect(await engine.runs.list()).toEqual([]);
    expect(await engine.sessions.list()).toEqual([]);

    // Trusting what was shown: a stale hash is refused, the current one is remembered.
    expect((await refusal(engine.files.trust(imported.workflow.id, 'f'.repeat(64)))).code).toBe(
      'INVALID_INPUT',
    );
    const record = await engine.files.trust(imported.workflow.id, imported.contentHash, 'test');
    expect(record).toMatchObject({ hash: imported.contentHash, by: 'test', name: 'Echo' });
    expect(await engine.files.isTrusted(imported.workflow.id)).toBe(true);
    const run = await engine.runs.start(imported.workflow.id, 7);
    const done = await engine.runs.wait(run.id, 20_000);
    expect(done.status).toBe('completed');
  });

  it('a workflow made in the app needs no trust; editing an imported one needs trust again', async () => {
    t = await tempEngine();
    const { engine } = t;
    const own = await engine.workflows.create(definition('Own'));
    expect(await engine.files.isTrusted(own.id)).toBe(true);
    expect((await engine.files.status(own.id)).imported).toBe(false);

    const imported = await engine.files.import(exportWorkflow(definition()), {
      trust: true,
      by: 'me',
    });
    expect(imported).toMatchObject({ trusted: true, trustedNow: true });
    expect(await engine.files.isTrusted(imported.workflow.id)).toBe(true);
    // Layout is not what runs: moving a node or saving the viewport keeps it trusted.
    const moved = {
      ...imported.workflow.definition,
      sessions: imported.workflow.definition.sessions.map((x) => ({
        ...x,
        position: { x: x.position.x + 50, y: 7 },
      })),
      viewport: { x: 10, y: 20, zoom: 1.5 },
    };
    await engine.workflows.update(imported.workflow.id, moved);
    expect(await engine.files.isTrusted(imported.workflow.id)).toBe(true);
    const edited = { ...moved, description: 'changed after import' };
    await engine.workflows.update(imported.workflow.id, edited);
    expect(await engine.files.isTrusted(imported.workflow.id)).toBe(false);
    expect((await refusal(engine.runs.start(imported.workflow.id))).code).toBe('FORBIDDEN');
  });

  it('trust and origins live in the database: they survive a restart; revoke forgets', async () => {
    t = await tempEngine();
    const first = await t.engine.files.import(exportWorkflow(definition()), { trust: true });
    const other = await t.engine.files.import(exportWorkflow(definition('Other')));
    await t.engine.close();
    const engine = await t.reopen();
    expect(await engine.files.isTrusted(first.workflow.id)).toBe(true);
    expect(await engine.files.isTrusted(other.workflow.id)).toBe(false);
    expect((await engine.files.trusted()).map((r) => r.hash)).toEqual([first.contentHash]);
    // The same content imported again is trusted at once (trust is per content hash).
    const again = await engine.files.import(exportWorkflow(definition()), {
      onNameClash: 'replace',
    });
    expect(again.trusted).toBe(true);
    expect(await engine.files.revoke(first.contentHash)).toBe(true);
    expect(await engine.files.isTrusted(first.workflow.id)).toBe(false);
  });

  it('validate and export: every problem with its path; canonical text back', async () => {
    t = await tempEngine();
    const bad = await t.engine.files.validate('{"format":"orchestration-workflow","version":2}');
    expect(bad.ok).toBe(false);
    const text = exportWorkflow(definition());
    const good = await t.engine.files.validate(text);
    expect(good.ok).toBe(true);
    const { workflow } = await t.engine.files.import(text);
    expect((await t.engine.files.export(workflow.id)).text).toBe(text);
    expect((await t.engine.files.export('Echo')).text).toBe(text);
    expect(await t.engine.workflows.list()).toHaveLength(1);
  });
});
