import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWorkflowFile, parseWorkflowFile } from '../../src-main/engine/workflows/file';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { BAD_FILES, validText } from './bad-files';
import { problemsOf, refusal, refusalOf } from './helpers';

describe('bad workflow files', () => {
  it('the table covers at least 25 kinds of mistakes, each with a distinct name', () => {
    expect(BAD_FILES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(BAD_FILES.map((b) => b.name)).size).toBe(BAD_FILES.length);
    expect(() => parseWorkflowFile(validText())).not.toThrow();
  });

  it.each(BAD_FILES.map((b) => [b.name, b] as const))('refuses %s', (_name, bad) => {
    const error = refusal(() => parseWorkflowFile(bad.build()));
    expect(error.code).toBe(bad.code);
    const problems = problemsOf(error);
    expect(problems).toContainEqual(expect.objectContaining({ path: bad.path, rule: bad.rule }));
    for (const p of problems) {
      expect(typeof p.message).toBe('string');
      expect(p.message.length).toBeGreaterThan(5);
      expect(p.path === '' || p.path.startsWith('/')).toBe(true);
    }
    // The error itself names the first problem's path, for callers that show one line.
    expect(error.message).toContain(problems[0]!.path || '/');
  });

  it('lists every problem of a file at once, in document order, with the session to select', () => {
    const d = JSON.parse(validText());
    d.author = 'me';
    d.sessions[1].colour = 'red';
    delete d.sessions[2].runner.command;
    d.sessions[3].name = 'Lint';
    d.edges[0].to = 'ghost';
    d.layout.positions.lint.x = 'left';
    const problems = problemsOf(refusal(() => parseWorkflowFile(JSON.stringify(d))));
    expect(problems.map((p) => [p.path, p.rule])).toEqual(
      [
        ['/sessions/1/colour', 'unknown-field'],
        ['/sessions/2/runner/command', 'missing-field'],
        ['/sessions/3/name', 'duplicate-name'],
        ['/edges/0/to', 'unknown-session'],
        ['/author', 'unknown-field'],
        ['/layout/positions/lint/x', 'wrong-type'],
      ].sort((a, b) => order(a[0]!) - order(b[0]!)),
    );
    expect(problems.find((p) => p.path === '/sessions/2/runner/command')?.sessionId).toBe('build');
    expect(problems.find((p) => p.path === '/edges/0/to')?.edgeId).toBe('e-lint');
  });

  describe('through the engine: nothing is stored', () => {
    let t: TempEngine;
    beforeAll(async () => {
      t = await tempEngine();
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('refuses every bad file and leaves the workflow list empty', async () => {
      for (const bad of BAD_FILES) {
        const error = await refusalOf(
          importWorkflowFile({ workflows: t.engine.workflows }, bad.build()),
        );
        expect(error.code, bad.name).toBe(bad.code);
      }
      expect(await t.engine.workflows.list()).toEqual([]);
    });
  });
});

/** Sessions, then edges, then the rest — the order problems are listed in. */
function order(path: string): number {
  const top = path.split('/')[1]!;
  const rank = ['sessions', 'edges', 'author', 'layout'].indexOf(top);
  return rank * 1000 + Number(path.split('/')[2] ?? 0);
}
