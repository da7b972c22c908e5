import { describe, expect, it } from 'vitest';
import {
  exportWorkflow,
  FILE_VERSION,
  MIGRATIONS,
  OLDEST_VERSION,
  parseWorkflowFile,
} from '../../src-main/engine/workflows/file';
import { fixture } from './samples';
import { problemsOf, refusal } from './helpers';

describe('migrations', () => {
  it('form a chain with one step per version up to the current one', () => {
    expect(MIGRATIONS.map((m) => m.from)).toEqual(
      Array.from({ length: FILE_VERSION - OLDEST_VERSION }, (_, i) => OLDEST_VERSION + i),
    );
    expect(OLDEST_VERSION).toBe(1);
  });

  it('opens a version-1 file as version 2, and says so', () => {
    const parsed = parseWorkflowFile(fixture('v1', 'review.orchestration.json'));
    expect(parsed.migratedFrom).toBe(1);
    expect(parsed.warnings).toEqual([
      {
        message: expect.stringMatching(
          /^Migrated from file format version 1 to 2 \(.*nodes\/links/,
        ),
      },
    ]);
    const expected = JSON.parse(fixture('v1', 'review.expected-v2.orchestration.json').toString());
    expect(parsed.file).toEqual(expected);
    expect(JSON.parse(exportWorkflow(parsed.workflow))).toEqual(expected);
    expect(parsed.workflow.sessions.map((s) => [s.id, s.position])).toEqual([
      ['director', { x: 0, y: 160 }],
      ['lint', { x: 320, y: 0 }],
      ['docs', { x: 320, y: 320 }],
      ['watcher', { x: 640, y: 160 }],
    ]);
  });

  it('the migrated file re-exports in the current format and then round-trips', () => {
    const once = exportWorkflow(
      parseWorkflowFile(fixture('v1', 'review.orchestration.json')).workflow,
    );
    const reopened = parseWorkflowFile(once);
    expect(reopened.migratedFrom).toBeUndefined();
    expect(exportWorkflow(reopened.workflow)).toBe(once);
  });

  it('migrates a minimal version-1 file (no runner, no links, no viewport)', () => {
    const parsed = parseWorkflowFile(fixture('v1', 'minimal.orchestration.json'));
    expect(parsed.migratedFrom).toBe(1);
    expect(parsed.workflow).toEqual({
      name: 'Minimal (v1)',
      sessions: [{ id: 'boss', type: 'director', name: 'Boss', position: { x: 0, y: 0 } }],
      edges: [],
    });
  });

  it('reports problems found after migrating at their place in the version-1 file', () => {
    const error = refusal(() =>
      parseWorkflowFile(fixture('v1', 'invalid-after-migration.orchestration.json')),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details.version).toBe(1);
    expect(problemsOf(error).map((p) => [p.path, p.rule])).toEqual([
      ['/nodes/1/runnerConfig/command', 'missing-field'],
      ['/links/0/target', 'unknown-session'],
    ]);
  });

  it('refuses a newer file, naming the version it needs', () => {
    const error = refusal(() => parseWorkflowFile(fixture('newer', 'v3.orchestration.json')));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.details).toMatchObject({ requiredVersion: 3, supportedVersion: FILE_VERSION });
    expect(error.message).toContain('format version 3');
    expect(error.message).toContain('2.1.0');
  });

  it('warns when a newer engine major wrote a file of a version this app reads', () => {
    const file = JSON.parse(
      exportWorkflow(parseWorkflowFile(fixture('v1', 'minimal.orchestration.json')).workflow),
    );
    file.apiVersion = '7.0.0';
    const parsed = parseWorkflowFile(JSON.stringify(file));
    expect(parsed.warnings).toEqual([
      expect.objectContaining({ path: '/apiVersion', message: expect.stringContaining('7.0.0') }),
    ]);
  });
});
