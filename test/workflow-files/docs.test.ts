import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportWorkflow, parseWorkflowFile } from '../../src-main/engine/workflows/file';
import { problemsOf, refusal } from './helpers';
import { FIXTURES, ROOT, sampleDefinition } from './samples';

const blocks = (file: string) =>
  [...readFileSync(join(ROOT, 'docs', file), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map(
    (m) => m[1]!,
  );

describe('docs/workflow-files.md', () => {
  it('its example file is a valid version-2 file that round-trips', () => {
    const example = blocks('workflow-files.md')[0]!;
    const parsed = parseWorkflowFile(example);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.workflow.sessions.map((s) => s.id)).toEqual(['director', 'lint', 'docs']);
    const text = exportWorkflow(parsed.workflow);
    expect(JSON.parse(text)).toEqual(JSON.parse(example));
  });

  it('its error example is exactly what the parser says for those mistakes', () => {
    const shown = JSON.parse(blocks('workflow-files.md')[1]!);
    const file = JSON.parse(exportWorkflow(sampleDefinition()));
    delete file.sessions[2].runner.command;
    file.sessions[3].name = 'Lint';
    file.edges[0].to = 'ghost';
    const error = refusal(() => parseWorkflowFile(JSON.stringify(file)));
    expect({
      code: error.code,
      message: error.message,
      details: { problems: problemsOf(error) },
    }).toEqual(shown);
  });
});

describe('resources/fixtures/workflows/v2', () => {
  const names = readdirSync(join(FIXTURES, 'v2')).filter((n) => n.endsWith('.orchestration.json'));
  it.each(names)('%s opens and re-exports to a stable text', (name) => {
    const parsed = parseWorkflowFile(readFileSync(join(FIXTURES, 'v2', name)));
    expect(parsed.migratedFrom).toBeUndefined();
    const text = exportWorkflow(parsed.workflow);
    expect(exportWorkflow(parseWorkflowFile(text).workflow)).toBe(text);
  });

  it('refuses nothing silently: a broken copy lists its problems', () => {
    const file = JSON.parse(readFileSync(join(FIXTURES, 'v2', names[0]!), 'utf8'));
    file.sessions[0].typo = true;
    expect(problemsOf(refusal(() => parseWorkflowFile(JSON.stringify(file))))[0]!.rule).toBe(
      'unknown-field',
    );
  });
});
