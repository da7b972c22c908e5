import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import { createRunWorkspaces, type RunWorkspaces } from '../../src-main/engine/workspaces';
import { runFolder } from '../../src-main/engine/workspaces/layout';
import { git, makeRepo, worktreePaths, write, type Fixture } from './repo-fixture';

const DEPARTMENTS = [
  { id: 'dep-a', name: 'Frontend' },
  { id: 'dep-b', name: 'Back end' },
  { id: 'dep-c', name: 'Docs' },
];

let fx: Fixture;
let ws: RunWorkspaces;
const warnings: string[] = [];

beforeEach(() => {
  fx = makeRepo();
  warnings.length = 0;
  ws = createRunWorkspaces({ stateDir: fx.stateDir, log: (_l, text) => warnings.push(text) });
});
afterEach(() => fx.cleanup());

const settings = () => ({ path: fx.repo, worktreeRoot: fx.worktreeRoot });

async function errorOf(promise: Promise<unknown>): Promise<OrchestrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestrationError);
  return error as OrchestrationError;
}

describe('prepare', () => {
  it('creates one worktree per department, on its own branch, outside the repository', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    const base = git(fx.repo, 'rev-parse', 'main');
    expect([...map.keys()]).toEqual(['dep-a', 'dep-b', 'dep-c']);
    expect(map.get('dep-b')).toMatchObject({
      sessionId: 'dep-b',
      branch: 'orchestration/run-1/back-end',
      baseBranch: 'main',
      baseCommit: base,
    });
    const paths = worktreePaths(fx.repo);
    for (const w of map.values()) {
      expect(w.path.startsWith(join(fx.worktreeRoot, 'orchestration-worktrees'))).toBe(true);
      expect(w.path.startsWith(fx.repo)).toBe(false);
      expect(paths).toContain(realpathSync(w.path));
      expect(git(w.path, 'symbolic-ref', '--short', 'HEAD')).toBe(w.branch);
      expect(readFileSync(join(w.path, 'app.txt'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
    }
    expect(ws.get('run-1', 'dep-a')?.path).toBe(map.get('dep-a')?.path);
  });

  it('refuses a folder that is not a repository and initialises nothing', async () => {
    const plain = join(fx.dir, 'plain');
    write(plain, 'x.txt', 'x');
    const error = await errorOf(ws.prepare('run-1', { path: plain }, DEPARTMENTS));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/is not a git repository/);
    expect(existsSync(join(plain, '.git'))).toBe(false);
  });

  it('refuses an unknown base branch and a branch name that is an option', async () => {
    const missing = await errorOf(
      ws.prepare('run-1', { ...settings(), baseBranch: 'nope' }, DEPARTMENTS),
    );
    expect(missing.message).toMatch(/"nope" does not exist/);
    const option = await errorOf(
      ws.prepare('run-1', { ...settings(), baseBranch: '--help' }, DEPARTMENTS),
    );
    expect(option.code).toBe('INVALID_INPUT');
    expect(worktreePaths(fx.repo)).toHaveLength(1);
  });

  it("'none' mode: the department works in the repository itself and nothing is committed", async () => {
    const map = await ws.prepare('run-1', { path: fx.repo, mode: 'none' }, [DEPARTMENTS[0]!]);
    expect(map.get('dep-a')).toMatchObject({ path: realpathSync(fx.repo), branch: null });
    write(fx.repo, 'app.txt', 'changed\n');
    const before = git(fx.repo, 'rev-parse', 'HEAD');
    const result = await ws.commitAll('run-1', 'dep-a', 'work');
    expect(result.commit).toBeNull();
    expect(result.diffStat).toEqual({ files: 1, insertions: 1, deletions: 3 });
    expect(git(fx.repo, 'rev-parse', 'HEAD')).toBe(before);
    expect(worktreePaths(fx.repo)).toHaveLength(1);
  });

  it('fetches the base branch where it tracks a remote; an unreachable remote is only a warning', async () => {
    git(fx.repo, 'remote', 'add', 'origin', join(fx.dir, 'gone.git'));
    git(fx.repo, 'config', 'branch.main.remote', 'origin');
    git(fx.repo, 'config', 'branch.main.merge', 'refs/heads/main');
    const map = await ws.prepare('run-1', settings(), [DEPARTMENTS[0]!]);
    expect(map.get('dep-a')?.baseCommit).toBe(git(fx.repo, 'rev-parse', 'main'));
    expect(warnings.join('\n')).toMatch(/Could not fetch main from origin/);
    expect(ws.commands('run-1').some((c) => c.args[0] === 'fetch' && c.exitCode !== 0)).toBe(true);
  });
});

describe('prepare: remotes and failures', () => {
  it('starts from the remote tip after fetching a base branch that tracks one', async () => {
    const remote = join(fx.dir, 'remote.git');
    git(fx.dir, 'clone', '--quiet', '--bare', fx.repo, remote);
    git(fx.repo, 'remote', 'add', 'origin', remote);
    git(fx.repo, 'fetch', '--quiet', 'origin');
    git(fx.repo, 'branch', '--quiet', '--set-upstream-to=origin/main', 'main');
    const other = join(fx.dir, 'other');
    git(fx.dir, 'clone', '--quiet', remote, other);
    write(other, 'upstream.txt', 'from a colleague\n');
    git(other, 'add', '-A');
    git(
      other,
      '-c',
      'user.name=C',
      '-c',
      'user.email=c@example.com',
      'commit',
      '--quiet',
      '-m',
      'up',
    );
    git(other, 'push', '--quiet', 'origin', 'main');
    const tip = git(other, 'rev-parse', 'HEAD');

    const map = await ws.prepare('run-1', settings(), [DEPARTMENTS[0]!]);
    expect(warnings).toEqual([]);
    expect(map.get('dep-a')?.baseCommit).toBe(tip);
    expect(readFileSync(join(map.get('dep-a')!.path, 'upstream.txt'), 'utf8')).toBe(
      'from a colleague\n',
    );
    // The person's own branch was not moved by the fetch.
    expect(git(fx.repo, 'rev-parse', 'main')).not.toBe(tip);
    const fetch = ws.commands('run-1').find((c) => c.args[0] === 'fetch');
    expect(fetch).toMatchObject({
      exitCode: 0,
      args: ['fetch', '--quiet', '--no-tags', '--', 'origin', 'refs/heads/main'],
    });
  });

  it('all or nothing: one worktree that cannot be made leaves no worktree and no branch behind', async () => {
    const blocked = join(runFolder(realpathSync(fx.repo), 'run-1', fx.worktreeRoot), 'docs');
    write(blocked, 'in-the-way.txt', 'x');
    const error = await errorOf(ws.prepare('run-1', settings(), DEPARTMENTS));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.details.stderr).toMatch(/already exists/);
    expect(worktreePaths(fx.repo)).toEqual([realpathSync(fx.repo)]);
    expect(git(fx.repo, 'branch', '--list', 'orchestration/*')).toBe('');
    expect(ws.get('run-1', 'dep-a')).toBeUndefined();
  });
});

describe('commit, diff and merge', () => {
  it('a file written in a worktree is on its branch, not in base, and a fast-forward merge brings it', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    const a = map.get('dep-a')!;
    write(a.path, 'src/new.ts', 'export const x = 1;\n');
    const { commit, diffStat } = await ws.commitAll('run-1', 'dep-a', 'Frontend: add new.ts');
    expect(commit).toBe(git(fx.repo, 'rev-parse', a.branch!));
    expect(diffStat).toEqual({ files: 1, insertions: 1, deletions: 0 });
    expect(git(fx.repo, 'ls-tree', '-r', '--name-only', a.branch!)).toContain('src/new.ts');
    expect(git(fx.repo, 'ls-tree', '-r', '--name-only', 'main')).not.toContain('src/new.ts');
    expect(await ws.commitAll('run-1', 'dep-a', 'nothing')).toEqual({
      commit: null,
      diffStat: { files: 0, insertions: 0, deletions: 0 },
    });

    const result = await ws.merge('run-1', 'dep-a');
    expect(result).toEqual({ merged: true, commit, fastForward: true, into: 'main' });
    expect(git(fx.repo, 'rev-parse', 'main')).toBe(commit);
    // The person's clean checkout of main was brought along, not left stale.
    expect(readFileSync(join(fx.repo, 'src/new.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(git(fx.repo, 'status', '--porcelain')).toBe('');
    // Merged: worktree removed, branch deleted (its commits are in main).
    expect(existsSync(a.path)).toBe(false);
    expect(worktreePaths(fx.repo)).toHaveLength(3);
    expect(git(fx.repo, 'branch', '--list', a.branch!)).toBe('');
    expect(ws.get('run-1', 'dep-a')).toBeUndefined();
  });

  it('two departments on different files: the second merge is a true merge commit', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    write(map.get('dep-a')!.path, 'a.txt', 'a\n');
    write(map.get('dep-b')!.path, 'b.txt', 'b\n');
    await ws.commitAll('run-1', 'dep-a', 'a');
    // dep-b's work is left uncommitted: merge commits it on the department's branch first.
    expect((await ws.merge('run-1', 'dep-a')).fastForward).toBe(true);
    const second = await ws.merge('run-1', 'dep-b');
    expect(second).toMatchObject({ merged: true, fastForward: false, into: 'main' });
    expect(git(fx.repo, 'rev-parse', 'main')).toBe(second.commit);
    expect(git(fx.repo, 'rev-list', '--parents', '-n', '1', 'main').split(' ')).toHaveLength(3);
    expect(git(fx.repo, 'ls-tree', '-r', '--name-only', 'main').split('\n')).toEqual(
      expect.arrayContaining(['a.txt', 'b.txt']),
    );
    expect(readFileSync(join(fx.repo, 'b.txt'), 'utf8')).toBe('b\n');
  });

  it('the same line changed twice: the second merge names the file and base is untouched', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    write(map.get('dep-a')!.path, 'app.txt', 'line 1\nfrom A\nline 3\n');
    write(map.get('dep-b')!.path, 'app.txt', 'line 1\nfrom B\nline 3\n');
    await ws.commitAll('run-1', 'dep-a', 'A');
    await ws.commitAll('run-1', 'dep-b', 'B');
    await ws.merge('run-1', 'dep-a');
    const mainBefore = git(fx.repo, 'rev-parse', 'main');
    const result = await ws.merge('run-1', 'dep-b');
    expect(result).toEqual({ merged: false, conflicts: ['app.txt'], into: 'main' });
    expect(git(fx.repo, 'rev-parse', 'main')).toBe(mainBefore);
    expect(readFileSync(join(fx.repo, 'app.txt'), 'utf8')).toBe('line 1\nfrom A\nline 3\n');
    expect(git(fx.repo, 'status', '--porcelain')).toBe('');
    // The department keeps its worktree and branch for the person to resolve.
    expect(ws.get('run-1', 'dep-b')).toBeDefined();
    expect(existsSync(map.get('dep-b')!.path)).toBe(true);
  });

  it("refuses to merge into a checkout with uncommitted changes and leaves the person's work alone", async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    write(map.get('dep-a')!.path, 'a.txt', 'a\n');
    await ws.commitAll('run-1', 'dep-a', 'a');
    write(fx.repo, 'README.md', '# my unsaved edit\n');
    const before = git(fx.repo, 'rev-parse', 'main');
    const error = await errorOf(ws.merge('run-1', 'dep-a'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/main is checked out in .* with uncommitted changes/);
    expect(git(fx.repo, 'rev-parse', 'main')).toBe(before);
    expect(readFileSync(join(fx.repo, 'README.md'), 'utf8')).toBe('# my unsaved edit\n');
    expect(ws.get('run-1', 'dep-a')).toBeDefined();
  });

  it('merges into an integration branch (created at the base) with a compare-and-swap, main untouched', async () => {
    const repo = { ...settings(), integrationBranch: 'integration/run-1' };
    const map = await ws.prepare('run-1', repo, DEPARTMENTS);
    const main = git(fx.repo, 'rev-parse', 'main');
    write(map.get('dep-c')!.path, 'docs.md', 'docs\n');
    const result = await ws.merge('run-1', 'dep-c');
    expect(result).toMatchObject({ merged: true, fastForward: true, into: 'integration/run-1' });
    expect(git(fx.repo, 'rev-parse', 'integration/run-1')).toBe(result.commit);
    expect(git(fx.repo, 'rev-parse', 'main')).toBe(main);
    expect(ws.commands('run-1', 'dep-c').some((c) => c.args[0] === 'update-ref')).toBe(true);
  });

  it('diff lists files and hunks of the branch against its merge-base', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    const path = map.get('dep-a')!.path;
    write(path, 'app.txt', 'line 1\nline two\nline 3\n');
    write(path, 'new.txt', 'hello\nworld\n');
    git(path, 'rm', '--quiet', 'README.md');
    await ws.commitAll('run-1', 'dep-a', 'changes');
    const files = await ws.diff('run-1', 'dep-a');
    expect(files.map((f) => [f.path, f.status, f.added, f.removed])).toEqual([
      ['README.md', 'deleted', 0, 1],
      ['app.txt', 'modified', 1, 1],
      ['new.txt', 'added', 2, 0],
    ]);
    const app = files.find((f) => f.path === 'app.txt')!;
    expect(app.hunks).toEqual([
      { header: '@@ -1,3 +1,3 @@', lines: [' line 1', '-line 2', '+line two', ' line 3'] },
    ]);
    expect(await ws.diff('run-1', 'dep-b')).toEqual([]);
  });
});

describe('discard, remove, snapshot and restore', () => {
  it('discard and remove leave no worktree; remove keeps a branch with unmerged work', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    await ws.discard('run-1', 'dep-a');
    expect(worktreePaths(fx.repo)).toHaveLength(3);
    expect(git(fx.repo, 'branch', '--list', 'orchestration/run-1/frontend')).toBe('');
    write(map.get('dep-b')!.path, 'b.txt', 'b\n');
    await ws.commitAll('run-1', 'dep-b', 'b');
    await ws.remove('run-1');
    expect(worktreePaths(fx.repo)).toEqual([realpathSync(fx.repo)]);
    for (const w of map.values()) expect(existsSync(w.path)).toBe(false);
    expect(
      git(fx.repo, 'branch', '--list', 'orchestration/*')
        .split('\n')
        .map((b) => b.trim()),
    ).toEqual(['orchestration/run-1/back-end']);
    expect(warnings.join('\n')).toMatch(/unmerged work: orchestration\/run-1\/back-end/);
    expect(ws.get('run-1', 'dep-b')).toBeUndefined();
  });

  it('restore saves uncommitted and extra work on a side branch before resetting', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    const a = map.get('dep-a')!;
    write(a.path, 'kept.txt', 'v1\n');
    await ws.commitAll('run-1', 'dep-a', 'v1');
    const snap = await ws.snapshot('run-1');
    expect(snap['dep-a']).toEqual({
      branch: a.branch,
      commit: git(a.path, 'rev-parse', 'HEAD'),
      path: a.path,
    });
    expect(Object.keys(snap).sort()).toEqual(['dep-a', 'dep-b', 'dep-c']);

    write(a.path, 'kept.txt', 'v2\n');
    await ws.commitAll('run-1', 'dep-a', 'v2');
    write(a.path, 'kept.txt', 'v3 uncommitted\n');
    write(a.path, 'untracked.txt', 'new\n');

    const { savedBranches } = await ws.restore('run-1', snap);
    expect(savedBranches).toHaveLength(1);
    const side = savedBranches[0]!;
    expect(side).toMatch(/^orchestration\/run-1\/frontend-saved-\d{8}T\d{6}Z$/);
    expect(git(fx.repo, 'show', `${side}:kept.txt`)).toBe('v3 uncommitted');
    expect(git(fx.repo, 'show', `${side}:untracked.txt`)).toBe('new');
    expect(git(fx.repo, 'log', '--format=%s', side).split('\n')).toContain('v2');
    expect(git(a.path, 'rev-parse', 'HEAD')).toBe(snap['dep-a']!.commit);
    expect(readFileSync(join(a.path, 'kept.txt'), 'utf8')).toBe('v1\n');
    expect(existsSync(join(a.path, 'untracked.txt'))).toBe(false);
    expect(git(a.path, 'status', '--porcelain')).toBe('');
  });

  it('restore brings back a worktree that was merged away, at the snapshot commit', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    const a = map.get('dep-a')!;
    write(a.path, 'x.txt', 'x\n');
    await ws.commitAll('run-1', 'dep-a', 'x');
    const snap = await ws.snapshot('run-1');
    await ws.merge('run-1', 'dep-a');
    expect(existsSync(a.path)).toBe(false);
    const { savedBranches } = await ws.restore('run-1', { 'dep-a': snap['dep-a']! });
    expect(savedBranches).toEqual([]);
    expect(readFileSync(join(a.path, 'x.txt'), 'utf8')).toBe('x\n');
    expect(ws.get('run-1', 'dep-a')?.branch).toBe(a.branch);
  });
});

describe('command log and restart', () => {
  it('records every git command as an argument array with its outcome', async () => {
    await ws.prepare('run-1', settings(), DEPARTMENTS);
    const all = ws.commands('run-1');
    const adds = all.filter((c) => c.args[0] === 'worktree' && c.args[1] === 'add');
    expect(adds).toHaveLength(3);
    for (const c of adds) {
      expect(Array.isArray(c.args)).toBe(true);
      expect(c.args).toContain('-b');
      expect(c.exitCode).toBe(0);
      expect(c.cwd).toBe(realpathSync(fx.repo));
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
      expect(c.startedAt).toBeGreaterThan(0);
    }
    expect(ws.commands('run-1', 'dep-a').every((c) => c.sessionId === 'dep-a')).toBe(true);
    expect(
      ws.commands('run-1', 'dep-a').some((c) => c.args.includes('orchestration/run-1/frontend')),
    ).toBe(true);
    expect(ws.commands('other-run')).toEqual([]);
  });

  it('the command log is bounded per run', async () => {
    const small = createRunWorkspaces({ commandsPerRun: 5 });
    await small.prepare('run-1', settings(), DEPARTMENTS);
    expect(small.commands('run-1')).toHaveLength(5);
    await small.remove('run-1');
  });

  it('a new instance over the same state folder finds the run and can merge and remove', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    write(map.get('dep-a')!.path, 'after-restart.txt', 'x\n');
    const again = createRunWorkspaces({ stateDir: fx.stateDir });
    expect(again.get('run-1', 'dep-a')).toEqual(map.get('dep-a'));
    const reprepared = await again.prepare('run-1', settings(), DEPARTMENTS);
    expect(reprepared.get('dep-b')).toEqual(map.get('dep-b'));
    expect(worktreePaths(fx.repo)).toHaveLength(4);
    expect((await again.merge('run-1', 'dep-a')).merged).toBe(true);
    expect(git(fx.repo, 'ls-tree', '--name-only', 'main')).toContain('after-restart.txt');
    await again.remove('run-1');
    expect(worktreePaths(fx.repo)).toHaveLength(1);
    expect(createRunWorkspaces({ stateDir: fx.stateDir }).get('run-1', 'dep-b')).toBeUndefined();
  });

  it('unknown runs and sessions are clear errors', async () => {
    expect((await errorOf(ws.diff('nope', 'x'))).message).toMatch(/Run nope has no workspaces/);
    await ws.prepare('run-1', settings(), DEPARTMENTS);
    expect((await errorOf(ws.merge('run-1', 'x'))).message).toMatch(/Session x has no workspace/);
  });
});
