/**
 * The diff viewer's line numbering and totals over real git output: a department's worktree
 * (real git, the engine's workspaces) is changed, and every numbered line must be the line at
 * that number in the old or new file. Command display is checked by a real shell reading it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunWorkspaces, type RunWorkspaces } from '../../src-main/engine/workspaces';
import {
  commandLine,
  describeTotals,
  diffTotals,
  fileLabel,
  formatCounts,
  hunkStart,
  lineKind,
  numberLines,
} from '../../src-renderer/src/agents/diff';
import { git, makeRepo, write, type Fixture } from '../git/repo-fixture';

let fx: Fixture;
let ws: RunWorkspaces;

beforeEach(() => {
  fx = makeRepo({
    'long.txt': Array.from({ length: 40 }, (_, i) => `row ${i + 1}`).join('\n') + '\n',
  });
  ws = createRunWorkspaces({ log: () => undefined });
});
afterEach(() => fx.cleanup());

describe('numbering hunks from real git diffs', () => {
  it('gives every line the number it has in the old and the new file', async () => {
    const map = await ws.prepare('run-1', { path: fx.repo, worktreeRoot: fx.worktreeRoot }, [
      { id: 'dep', name: 'Dep' },
    ]);
    const tree = map.get('dep')!.path;
    const oldLong = readFileSync(join(tree, 'long.txt'), 'utf8').split('\n');
    const newLong = [...oldLong];
    newLong.splice(4, 1, 'row 5 changed', 'row 5b added');
    newLong.splice(30, 2);
    write(tree, 'long.txt', newLong.join('\n'));
    write(tree, 'new file.txt', 'hello\nworld');
    git(tree, 'rm', '--quiet', 'README.md');
    await ws.commitAll('run-1', 'dep', 'work');

    const files = await ws.diff('run-1', 'dep');
    const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(['README.md', 'long.txt', 'new file.txt']);

    const long = byPath['long.txt']!;
    expect(long.hunks.length).toBe(2);
    let added = 0;
    let removed = 0;
    for (const hunk of long.hunks) {
      for (const line of numberLines(hunk)) {
        if (line.kind === 'added') added++;
        if (line.kind === 'removed') removed++;
        if (line.oldNo !== null) expect(oldLong[line.oldNo - 1]).toBe(line.text);
        if (line.newNo !== null) expect(newLong[line.newNo - 1]).toBe(line.text);
      }
    }
    expect([added, removed]).toEqual([long.added, long.removed]);
    expect([added, removed]).toEqual([2, 3]);

    // No newline at the end: git's "\ No newline" line is a meta line without numbers.
    const created = numberLines(byPath['new file.txt']!.hunks[0]!);
    expect(created.map((l) => l.kind)).toEqual(['added', 'added', 'meta']);
    expect(created.map((l) => l.newNo)).toEqual([1, 2, null]);
    expect(created[2]!.text).toMatch(/^\\ No newline/);

    const totals = diffTotals(files);
    expect(totals).toEqual({ files: 3, added: 2 + 2, removed: 3 + 1 });
    expect(describeTotals(totals)).toBe('3 files, +4 \u22124');
  });
});

describe('line kinds, headers, labels', () => {
  it('reads markers and hunk starts, and shows renames with their origin', () => {
    expect(['+a', '-b', ' c', '\\ x', ''].map(lineKind)).toEqual([
      'added',
      'removed',
      'context',
      'meta',
      'context',
    ]);
    expect(hunkStart('@@ -12,3 +15 @@ function f()')).toEqual({ old: 12, new: 15 });
    expect(hunkStart('not a hunk')).toBeNull();
    // A header it cannot read still shows the lines, just without numbers.
    expect(numberLines({ header: '??', lines: ['+x'] })).toEqual([
      { kind: 'added', text: 'x', oldNo: null, newNo: null },
    ]);
    const rename = {
      path: 'b.ts',
      oldPath: 'a.ts',
      status: 'renamed' as const,
      added: 0,
      removed: 0,
      hunks: [],
    };
    expect(fileLabel(rename)).toBe('a.ts → b.ts');
    expect(formatCounts(0, 7)).toBe('+0 \u22127');
    expect(describeTotals({ files: 0, added: 0, removed: 0 })).toBe('No changes');
    expect(describeTotals({ files: 1, added: 1, removed: 0 })).toBe('1 file, +1 \u22120');
  });

  it('quotes arguments so a shell would read back exactly the argument array', () => {
    const args = [
      'commit',
      '-m',
      "Frontend: it's done; rm -rf $HOME",
      '--',
      'a b.txt',
      'plain/path.ts',
    ];
    const line = commandLine(args);
    expect(line.startsWith('git commit -m ')).toBe(true);
    expect(line).toContain('plain/path.ts');
    // /bin/sh parses the displayed line; printf echoes each argument on its own line.
    const echoed = execFileSync('sh', ['-c', `set -- ${line.slice(4)}; printf '%s\\n' "$@"`], {
      encoding: 'utf8',
    });
    expect(echoed.split('\n').slice(0, -1)).toEqual(args);
  });
});
