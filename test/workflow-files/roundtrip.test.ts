import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src-main/engine/workflows';
import {
  exportWorkflow,
  FILE_FORMAT,
  FILE_VERSION,
  parseWorkflowFile,
} from '../../src-main/engine/workflows/file';
import { API_VERSION } from '../../src-shared/domain';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { exampleDefinitions, sampleDefinition } from './samples';

const samples: Array<[string, WorkflowDefinition]> = [
  ['sample (every runner kind)', sampleDefinition()],
  [
    'minimal (one director)',
    {
      name: 'Minimal',
      sessions: [{ id: 'd', type: 'director', name: 'D', position: { x: 0, y: 0 } }],
      edges: [],
    },
  ],
  ...exampleDefinitions(),
];

describe('export → import → export', () => {
  it.each(samples)('is byte-identical for %s', (_name, definition) => {
    const first = exportWorkflow(definition);
    const parsed = parseWorkflowFile(first);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.migratedFrom).toBeUndefined();
    const second = exportWorkflow(parsed.workflow);
    expect(second).toBe(first);
    // …and through bytes (a file read from disk) as well as text.
    expect(exportWorkflow(parseWorkflowFile(Buffer.from(second)).workflow)).toBe(first);
  });

  it.each(samples)('keeps the definition of %s (settings keys are only reordered)', (_n, def) => {
    const back = parseWorkflowFile(exportWorkflow(def)).workflow;
    expect(back).toEqual(validateDefinition(def));
  });

  it('writes the envelope first, 2-space JSON, a trailing newline and layout last', () => {
    const text = exportWorkflow(sampleDefinition());
    expect(
      text.startsWith(
        `{\n  "format": "${FILE_FORMAT}",\n  "version": ${FILE_VERSION},\n  "apiVersion": "${API_VERSION}",\n  "name": `,
      ),
    ).toBe(true);
    expect(text.endsWith('\n  }\n}\n')).toBe(true);
    const file = JSON.parse(text);
    expect(Object.keys(file)).toEqual([
      'format',
      'version',
      'apiVersion',
      'name',
      'description',
      'sessions',
      'edges',
      'settings',
      'repository',
      'layout',
    ]);
    expect(file.sessions[0]).not.toHaveProperty('position');
    expect(Object.keys(file.layout.positions)).toEqual([
      'director',
      'lint',
      'build',
      'review',
      'watcher',
    ]);
    expect(Object.keys(file.settings)).toEqual(['alpha', 'exampleInput', 'zeta']);
    expect(file.layout.viewport).toEqual({ x: -12.5, y: 40, zoom: 0.8 });
  });

  it('gives the same bytes whatever the key order of the input', () => {
    const def = sampleDefinition();
    const shuffled = JSON.parse(JSON.stringify(def), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).reverse())
        : v,
    ) as WorkflowDefinition;
    expect(exportWorkflow(shuffled)).toBe(exportWorkflow(def));
  });

  it('places sessions that have no position, with a warning, and exports them placed', () => {
    const file = JSON.parse(exportWorkflow(sampleDefinition()));
    delete file.layout.positions.watcher;
    const parsed = parseWorkflowFile(JSON.stringify(file));
    expect(parsed.warnings).toEqual([
      expect.objectContaining({ path: '/sessions/4', message: expect.stringContaining('watcher') }),
    ]);
    expect(parsed.workflow.sessions[4]!.position).toEqual({ x: 640, y: 0 });
    const again = exportWorkflow(parsed.workflow);
    expect(exportWorkflow(parseWorkflowFile(again).workflow)).toBe(again);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const text = exportWorkflow(sampleDefinition());
    expect(exportWorkflow(parseWorkflowFile('\uFEFF' + text).workflow)).toBe(text);
  });
});
