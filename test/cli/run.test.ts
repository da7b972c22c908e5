/** `orchestration run`: each sample workflow from a clean database; trust; failures; --json. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import { exportWorkflow } from '../../src-main/engine/workflows/file';
import type { Run, WorkflowDefinition } from '../../src-shared/workflow';
import { ROOT, cli, scratchDir } from './helpers';

/** CLI processes start the whole engine (~3 s of CPU each); several share two cores here. */
const SLOW = 120_000;

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

const examplesDir = join(ROOT, 'resources', 'examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const definition = JSON.parse(readFileSync(join(examplesDir, f), 'utf8')) as WorkflowDefinition;
    const file = scratch.path(f.replace(/\.json$/, '.orchestration.json'));
    writeFileSync(file, exportWorkflow(definition));
    return { name: f, file, definition };
  });

/** What the database holds, read with the engine after the CLI exited. */
async function stored(db: string) {
  const engine = await createEngine({ databasePath: db });
  try {
    return {
      workflows: await engine.workflows.list(),
      runs: await engine.runs.list(),
      sessions: await engine.sessions.list(),
    };
  } finally {
    await engine.close();
  }
}

const failing: WorkflowDefinition = {
  name: 'Fails',
  sessions: [
    {
      id: 'd',
      type: 'director',
      name: 'Boss',
      runner: { kind: 'fan-out' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'x',
      type: 'department',
      name: 'Broken',
      runner: { kind: 'script', source: 'async function handle() { throw new Error("boom"); }' },
      limits: { maxRetries: 0 },
      position: { x: 300, y: 0 },
    },
  ],
  edges: [{ id: 'dx', from: 'd', to: 'x' }],
};

describe('orchestration run', () => {
  it('has sample workflows to run', () => {
    expect(examples.map((e) => e.name)).toEqual(
      expect.arrayContaining(['code-review.json', 'release-pipeline.json']),
    );
  });

  it.concurrent.each(examples)(
    '$name runs from a clean database with --trust: exit 0, the result printed',
    async ({ name, file }) => {
      const db = scratch.path(`${name}.db`);
      // The first through bin/orchestration.mjs (the TypeScript source), the rest bundled.
      const via = name === examples[0]!.name ? 'bin' : 'bundle';
      const r = await cli(['run', file, '--db', db, '--trust'], { via });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as unknown;
      expect(result).toBeTruthy();
      const { runs, workflows } = await stored(db);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.status).toBe('completed');
      expect(runs[0]!.result).toEqual(result);
      expect(workflows).toHaveLength(1);
    },
    SLOW,
  );

  it.concurrent(
    'untrusted without --trust: refused, what it would run printed, nothing stored or run; trust is then remembered',
    async () => {
      const { file } = examples.find((e) => e.name === 'code-review.json')!;
      const db = scratch.path('untrusted.db');
      const refused = await cli(['run', file, '--db', db]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^FORBIDDEN: Workflow "Code review" is not trusted yet/);
      expect(refused.stderr).toContain('It would run:');
      expect(refused.stderr).toContain('Lint (department, script)');
      const before = await stored(db);
      expect(before).toEqual({ workflows: [], runs: [], sessions: [] });

      // --json: the refusal parses too, and still nothing runs.
      const json = await cli(['run', file, '--db', db, '--json']);
      expect(json.code).toBe(1);
      const body = JSON.parse(json.stdout) as {
        error: { code: string; details: { contentHash: string } };
      };
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.details.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect((await stored(db)).runs).toEqual([]);

      // Trusted once with --trust, the same content runs again without it (same workflow reused).
      expect((await cli(['run', file, '--db', db, '--trust', '--json'])).code).toBe(0);
      const again = await cli(['run', file, '--db', db, '--json']);
      expect(again.code).toBe(0);
      const out = JSON.parse(again.stdout) as { run: Run; workflow: { imported: boolean } };
      expect(out.run.status).toBe('completed');
      expect(out.workflow.imported).toBe(false);
      const after = await stored(db);
      expect(after.workflows).toHaveLength(1);
      expect(after.runs).toHaveLength(2);
    },
    SLOW,
  );

  it.concurrent(
    'a failed run exits 1 with RUN_FAILED; --input and --json are honoured',
    async () => {
      const file = scratch.path('fails.orchestration.json');
      writeFileSync(file, exportWorkflow(failing));
      const db = scratch.path('fails.db');
      const r = await cli(['run', file, '--db', db, '--trust', '--json', '--input', '{"n":1}']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^RUN_FAILED: run \S+ failed: /m);
      const out = JSON.parse(r.stdout) as { run: Run };
      expect(out.run.status).toBe('failed');
      expect(out.run.input).toEqual({ n: 1 });
    },
    SLOW,
  );

  it.concurrent(
    'an invalid file: its problems printed, exit 1, no database created',
    async () => {
      const file = scratch.path('invalid.orchestration.json');
      writeFileSync(
        file,
        JSON.stringify({ format: 'orchestration-workflow', version: 2, name: 'x' }),
      );
      const db = scratch.path('never.db');
      const r = await cli(['run', file, '--db', db, '--trust'], { via: 'bin' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^INVALID_INPUT: /);
      expect(r.stderr).toMatch(/^\/sessions: /m);
      expect(() => readFileSync(db)).toThrow();
    },
    SLOW,
  );
});
