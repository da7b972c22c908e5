/**
 * Ready worktrees: made ahead of Run, claimed by prepare() (renamed into the run folder, branched
 * there), recycled from finished runs only when clean, recorded so a crash does not leak them,
 * capped, and never handed to two runs.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunWorkspaces, type RunWorkspaces } from '../../src-main/engine/workspaces';
import { spareFolder } from '../../src-main/engine/workspaces/layout';
import { git, makeRepo, worktreePaths, write, type Fixture } from './repo-fixture';

const DEPARTMENTS = [
  { id: 'dep-a', name: 'Frontend' },
  { id: 'dep-b', name: 'Backend' },
];

let fx: Fixture;
let ws: RunWorkspaces;
const warnings: string[] = [];

// No background refill during a test: every spare is made by an awaited warm().
const open = (perRepository = 4, maxBytes?: number) =>
  createRunWorkspaces({
    stateDir: fx.stateDir,
    log: (_l, text) => warnings.push(text),
    spares: { perRepository, maxBytes, refillDelayMs: 60_000 },
  });

beforeEach(() => {
  fx = makeRepo({ '.gitignore': '*.log\n' });
  warnings.length = 0;
  ws = open();
});
afterEach(async () => {
  await ws.close();
  fx.cleanup();
});

const settings = () => ({ path: fx.repo, worktreeRoot: fx.worktreeRoot });
const ready = () => ws.spareWorktrees().filter((s) => s.state === 'ready');

describe('ready worktrees', () => {
  it('are made outside the repository, detached at the base, and recorded in the state folder', async () => {
    expect(await ws.warm(settings(), 2)).toEqual({ ready: 2 });
    const base = git(fx.repo, 'rev-parse', 'main');
    const dir = spareFolder(realpathSync(fx.repo), fx.worktreeRoot);
    for (const spare of ready()) {
      expect(spare.path.startsWith(dir)).toBe(true);
      expect(spare.commit).toBe(base);
      expect(git(spare.path, 'rev-parse', 'HEAD')).toBe(base);
      expect(readFileSync(join(spare.path, 'app.txt'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
    }
    expect(readdirSync(join(fx.stateDir, 'spares'))).toHaveLength(1);
    expect(git(fx.repo, 'branch', '--list')).toBe('* main');
  });

  it('prepare claims them: each department gets one, on its own branch, in its own folder', async () => {
    await ws.warm(settings(), 2);
    const spares = ready().map((s) => s.path);
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    expect(ws.spareWorktrees()).toEqual([]);
    for (const w of map.values()) {
      expect(spares).not.toContain(w.path);
      expect(git(w.path, 'symbolic-ref', '--short', 'HEAD')).toBe(w.branch);
      expect(git(w.path, 'status', '--porcelain')).toBe('');
      expect(worktreePaths(fx.repo)).toContain(realpathSync(w.path));
    }
    const commands = ws.commands('run-1').map((c) => c.args.slice(0, 2).join(' '));
    expect(commands).toContain('worktree repair');
    expect(commands).not.toContain('worktree add');
    for (const path of spares) expect(existsSync(path)).toBe(false);
  });

  it('a spare made before the base moved is brought to the new base', async () => {
    await ws.warm(settings(), 1);
    write(fx.repo, 'app.txt', 'moved\n');
    git(fx.repo, 'commit', '--quiet', '-am', 'second');
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS.slice(0, 1));
    const a = map.get('dep-a')!;
    expect(a.baseCommit).toBe(git(fx.repo, 'rev-parse', 'main'));
    expect(git(a.path, 'rev-parse', 'HEAD')).toBe(a.baseCommit);
    expect(readFileSync(join(a.path, 'app.txt'), 'utf8')).toBe('moved\n');
  });

  it('a spare someone changed is removed when the pool is next filled, never handed out', async () => {
    await ws.warm(settings(), 2);
    const [changed, kept] = ready();
    write(changed!.path, 'stray.txt', 'not ours');
    await ws.warm(settings(), 2);
    const paths = ready().map((s) => s.path);
    expect(paths).toContain(kept!.path);
    expect(paths).not.toContain(changed!.path);
    expect(existsSync(changed!.path)).toBe(false);
    for (const path of paths) expect(git(path, 'status', '--porcelain')).toBe('');
  });

  it('when claiming fails (a branch of that name exists), the departments get fresh checkouts', async () => {
    git(fx.repo, 'branch', 'orchestration/run-1/frontend');
    write(fx.repo, 'app.txt', 'moved\n');
    git(fx.repo, 'commit', '--quiet', '-am', 'second');
    await ws.warm(settings(), 2);
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    expect(warnings.join('\n')).toMatch(/could not be used/);
    const a = map.get('dep-a')!;
    const b = map.get('dep-b')!;
    // The existing branch is checked out as it is, not moved to the base.
    expect(readFileSync(join(a.path, 'app.txt'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
    expect(readFileSync(join(b.path, 'app.txt'), 'utf8')).toBe('moved\n');
    expect(git(b.path, 'symbolic-ref', '--short', 'HEAD')).toBe(b.branch);
    expect(ws.spareWorktrees()).toEqual([]);
    expect(worktreePaths(fx.repo)).toHaveLength(3);
  });

  it('two runs preparing at once never get the same spare', async () => {
    await ws.warm(settings(), 3);
    const [one, two] = await Promise.all([
      ws.prepare('run-1', settings(), DEPARTMENTS),
      ws.prepare('run-2', settings(), DEPARTMENTS),
    ]);
    const paths = [...one.values(), ...two.values()].map((w) => realpathSync(w.path));
    expect(new Set(paths).size).toBe(4);
    const listed = worktreePaths(fx.repo);
    for (const p of paths) expect(listed).toContain(p);
    for (const w of [...one.values(), ...two.values()]) {
      expect(git(w.path, 'symbolic-ref', '--short', 'HEAD')).toBe(w.branch);
    }
  });

  it('a finished clean worktree is recycled with nothing of its run; a dirty one never', async () => {
    const map = await ws.prepare('run-1', settings(), DEPARTMENTS);
    const a = map.get('dep-a')!;
    const b = map.get('dep-b')!;
    write(a.path, 'build.log', 'ignored output of the old run');
    write(b.path, 'app.txt', 'uncommitted work');
    await ws.remove('run-1');
    const spares = ready();
    expect(spares).toHaveLength(1);
    const spare = spares[0]!;
    expect(existsSync(join(spare.path, 'build.log'))).toBe(false);
    expect(git(spare.path, 'status', '--porcelain', '--ignored')).toBe('');
    expect(readFileSync(join(spare.path, 'app.txt'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
    expect(existsSync(a.path) || existsSync(b.path)).toBe(false);
    expect(git(fx.repo, 'branch', '--list', 'orchestration/*')).toBe('');
    expect(worktreePaths(fx.repo)).toHaveLength(2);
  });

  it('are capped in number and in estimated disk use', async () => {
    await ws.close();
    ws = open(2);
    expect(await ws.warm(settings(), 5)).toEqual({ ready: 2 });
    await ws.close();
    ws = open(8, 10_000); // three files of one 4 KiB block each: two copies fit
    await ws.warm(settings(), 5);
    expect(ready()).toHaveLength(2);
    await ws.dropSpares();
    await ws.close();
    ws = open(8, 5_000); // not even one copy fits: none is made, none is recycled
    expect(await ws.warm(settings(), 1)).toEqual({ ready: 0 });
    await ws.prepare('run-1', settings(), DEPARTMENTS);
    await ws.remove('run-1');
    expect(ws.spareWorktrees()).toEqual([]);
    expect(worktreePaths(fx.repo)).toEqual([realpathSync(fx.repo)]);
  });

  it('a crash leaves a record: the next instance sweeps half-made ones, and dropSpares removes all', async () => {
    await ws.warm(settings(), 2);
    const file = join(fx.stateDir, 'spares', readdirSync(join(fx.stateDir, 'spares'))[0]!);
    const record = JSON.parse(readFileSync(file, 'utf8')) as {
      spares: Array<{ path: string; state: string }>;
    };
    record.spares[0]!.state = 'creating'; // as if the process died while checking it out
    writeFileSync(file, JSON.stringify(record));
    await ws.close();

    ws = open();
    expect(ws.spareWorktrees().map((s) => s.state)).toEqual(['creating', 'ready']);
    await ws.warm(settings(), 1);
    expect(existsSync(record.spares[0]!.path)).toBe(false);
    expect(ws.spareWorktrees().map((s) => s.state)).toEqual(['ready']);

    await ws.dropSpares();
    expect(ws.spareWorktrees()).toEqual([]);
    expect(worktreePaths(fx.repo)).toEqual([realpathSync(fx.repo)]);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(spareFolder(realpathSync(fx.repo), fx.worktreeRoot))).toBe(false);
  });

  it('are off unless asked for', async () => {
    await ws.close();
    ws = createRunWorkspaces({ stateDir: fx.stateDir });
    expect(await ws.warm(settings(), 2)).toEqual({ ready: 0 });
    await ws.prepare('run-1', settings(), DEPARTMENTS);
    await ws.remove('run-1');
    expect(worktreePaths(fx.repo)).toEqual([realpathSync(fx.repo)]);
  });
});
