import { describe, expect, it } from 'vitest';
import { parseWorkflowFile } from '../../src-main/engine/workflows/file';
import { duplicateKeyProblems } from '../../src-main/engine/workflows/file/duplicate-keys';
import { validText } from './bad-files';
import { problemsOf, refusal } from './helpers';

describe('duplicateKeyProblems', () => {
  it('finds nothing in text without repeats, however keys and strings look', () => {
    const text = JSON.stringify({ a: '{"a":1,"a":2}', b: [{ a: 1 }, { a: 2 }], 'a\\"': { '': 0 } });
    expect(duplicateKeyProblems(text)).toEqual([]);
    expect(duplicateKeyProblems(validText())).toEqual([]);
  });

  it('gives each repeat its JSON Pointer, in document order', () => {
    const text =
      '{"x":[{"k":1},{"k":2,"k":3}],"y":{"a/b":1,"a\\/b":2},"x":0,"z":{"~":1,"\\u007e":2}}';
    expect(duplicateKeyProblems(text).map((p) => [p.path, p.rule])).toEqual([
      ['/x/1/k', 'duplicate-key'],
      ['/y/a~1b', 'duplicate-key'],
      ['/x', 'duplicate-key'],
      ['/z/~0', 'duplicate-key'],
    ]);
  });

  it('scans a file at the size limit in one pass without blowing the stack', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(duplicateKeyProblems(`{${keys},"k7":0}`).map((p) => p.path)).toEqual(['/k7']);
  });
});

describe('parseWorkflowFile with repeated keys', () => {
  it('reports them alongside the other problems, nothing silently last-wins', () => {
    const text = validText()
      .replace('"command": "npm",', '"command": "npm", "command": "rm",')
      .replace('"name": "Lint",', '"name": "Lint", "colour": 1,');
    const error = refusal(() => parseWorkflowFile(text));
    expect(error.code).toBe('INVALID_INPUT');
    const problems = problemsOf(error);
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: '/sessions/2/runner/command',
        rule: 'duplicate-key',
        sessionId: 'build',
      }),
    );
    expect(problems.map((p) => p.rule)).toContain('unknown-field');
    expect(error.message).toContain('"command" appears more than once');
  });
});
