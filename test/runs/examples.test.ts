import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

const dir = join(import.meta.dirname, '../../resources/examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

let t: TempEngine;
beforeAll(async () => {
  t = await tempEngine();
});
afterAll(async () => {
  await t.cleanup();
});

describe('resources/examples', () => {
  it('has sample workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['code-review.json', 'release-pipeline.json']));
  });

  it.each(files)('%s is valid and runs to completed offline', async (file) => {
    const definition = JSON.parse(readFileSync(join(dir, file), 'utf8')) as WorkflowDefinition;
    const workflow = await t.engine.workflows.create(definition);
    const run = await t.engine.runs.start(workflow.id, definition.settings?.exampleInput);
    const done = await t.engine.runs.wait(run.id, 20_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.result).toBeTruthy();
  });

  it('code-review aggregates the three reports', async () => {
    const definition = JSON.parse(
      readFileSync(join(dir, 'code-review.json'), 'utf8'),
    ) as WorkflowDefinition;
    const workflow = await t.engine.workflows.create(definition);
    const run = await t.engine.runs.start(workflow.id, definition.settings?.exampleInput);
    const done = await t.engine.runs.wait(run.id, 20_000);
    const result = done.result as Record<string, Record<string, unknown>>;
    expect(Object.keys(result).sort()).toEqual(['Docs', 'Lint', 'Test']);
    expect(result.Lint!.problems).toEqual([
      'src/sum.js:2 trailing whitespace',
      'src/sum.js:4 TODO left in',
    ]);
    expect(result.Test).toMatchObject({ passed: 3, failed: [] });
    expect(result.Docs!.output).toContain('files mentioned: 2');
    expect(result.Docs!.output).toContain('README touched: yes');
  });
});
