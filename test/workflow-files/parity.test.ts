/**
 * The file checks mirror the engine's validateDefinition (src-main/engine/workflows/validate.ts)
 * so a file lists every problem at once; the engine refuses one at a time. This shows both
 * agree, path for path, on every topology mistake in the bad-file table, and where the file
 * format is stricter (the cycle rule).
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src-main/engine/workflows';
import { checkWorkflowFile, formatProblems } from '../../src-main/engine/workflows/file';
import { pointerFromDotted } from '../../src-main/engine/workflows/file/problems';
import { ValidationError } from '../../src-shared/errors';
import { BAD_FILES } from './bad-files';

const TOPOLOGY = new Set([
  'duplicate-id',
  'duplicate-name',
  'second-director',
  'runner-kind',
  'unknown-session',
  'self-edge',
  'duplicate-edge',
  'edge-direction',
]);

/** A version-2 file object → the stored definition shape, without any file-level checks. */
function asDefinition(text: string) {
  const f = JSON.parse(text);
  return {
    name: f.name,
    sessions: f.sessions.map((s: { id: string }) => ({
      ...s,
      position: f.layout.positions[s.id] ?? { x: 0, y: 0 },
    })),
    edges: f.edges,
  };
}

function engineRefusal(definition: unknown): ValidationError | undefined {
  try {
    validateDefinition(definition);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
}

describe('file checks and engine checks agree', () => {
  const cases = BAD_FILES.filter(
    (b) =>
      TOPOLOGY.has(b.rule) &&
      /^\/(sessions|edges)\//.test(b.path) &&
      !b.name.startsWith('a version-1'),
  );

  it.each(cases.map((b) => [b.name, b] as const))(
    '%s: the engine refuses at the same path',
    (_n, bad) => {
      const refused = engineRefusal(asDefinition(bad.build() as string));
      expect(refused).toBeDefined();
      expect(pointerFromDotted(refused!.field!)).toBe(bad.path);
    },
  );

  it('the cycle rule is the file format’s own: the engine stores such a workflow', () => {
    const cycle = BAD_FILES.find((b) => b.rule === 'cycle')!;
    expect(engineRefusal(asDefinition(cycle.build() as string))).toBeUndefined();
  });

  it('checkWorkflowFile reports instead of throwing, and formatProblems prints one line each', () => {
    const bad = BAD_FILES.find((b) => b.rule === 'missing-field' && b.path.includes('command'))!;
    const check = checkWorkflowFile(bad.build());
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.code).toBe('INVALID_INPUT');
    expect(formatProblems(check.problems)).toBe(
      '/sessions/2/runner/command: "command" is required',
    );
  });
});
