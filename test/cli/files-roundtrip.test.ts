/** `orchestration export` / `import` through the real CLI: byte-identical round trip; name clashes. */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import { exportWorkflow } from '../../src-main/engine/workflows/file';
import { sampleDefinition } from '../workflow-files/samples';
import { cli, scratchDir } from './helpers';

const SLOW = 120_000;
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('orchestration export / import', () => {
  it(
    'export → import → export gives the same bytes; import never trusts; a name clash is refused',
    async () => {
      // A database holding the sample workflow (one of every runner kind), made in the app.
      const db1 = scratch.path('one.db');
      const seeded = await createEngine({ databasePath: db1 });
      const original = await seeded.workflows.create(sampleDefinition());
      await seeded.close();

      const first = scratch.path('first.orchestration.json');
      const exported = await cli(['export', original.definition.name, '-o', first, '--db', db1]);
      expect(exported.stderr).toBe('');
      expect(exported).toMatchObject({ code: 0 });
      expect(exported.stdout).toContain(`exported "${original.definition.name}" to ${first}`);
      const firstText = readFileSync(first, 'utf8');
      expect(firstText).toBe(exportWorkflow(sampleDefinition()));

      const db2 = scratch.path('two.db');
      const imported = await cli(['import', first, '--db', db2, '--json']);
      expect(imported.code).toBe(0);
      const result = JSON.parse(imported.stdout) as {
        workflow: { id: string };
        trusted: boolean;
        contentHash: string;
        whatItRuns: unknown[];
      };
      expect(result.trusted).toBe(false);
      expect(result.whatItRuns).toHaveLength(5);

      const second = scratch.path('second.orchestration.json');
      const again = await cli(['export', result.workflow.id, '-o', second, '--db', db2, '--json']);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({
        workflowId: result.workflow.id,
        removed: [],
      });
      expect(readFileSync(second, 'utf8')).toBe(firstText);

      // The same name again: refused without --rename/--replace; the database is unchanged.
      const clash = await cli(['import', second, '--db', db2]);
      expect(clash.code).toBe(1);
      expect(clash.stderr).toMatch(/^DUPLICATE_ENTRY: A workflow named /);

      const check = await createEngine({ databasePath: db2 });
      try {
        expect(await check.workflows.list()).toHaveLength(1);
        expect(await check.files.status(result.workflow.id)).toMatchObject({
          imported: true,
          trusted: false,
          source: 'first.orchestration.json',
          contentHash: result.contentHash,
        });
      } finally {
        await check.close();
      }
    },
    SLOW,
  );

  it(
    'export of an unknown workflow: INVALID_INPUT, exit 1; -o - writes the file to stdout',
    async () => {
      const db = scratch.path('three.db');
      const seeded = await createEngine({ databasePath: db });
      await seeded.workflows.create(sampleDefinition());
      await seeded.close();
      const missing = await cli([
        'export',
        'no such workflow',
        '-o',
        scratch.path('x.json'),
        '--db',
        db,
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /^INVALID_INPUT: No workflow with id or name "no such workflow"/,
      );
      const out = await cli(['export', sampleDefinition().name, '-o', '-', '--db', db]);
      expect(out.code).toBe(0);
      expect(out.stdout).toBe(exportWorkflow(sampleDefinition()));
      writeFileSync(scratch.path('y.json'), out.stdout);
    },
    SLOW,
  );
});
