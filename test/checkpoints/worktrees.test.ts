/**
 * A checkpoint records each department worktree's commit; restoring it resets the branches to
 * those commits, keeps later and uncommitted work on a side branch (and says so), and takes
 * nothing but commits from the checkpoint (a file cannot aim a reset at another branch).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { worktreeCheckpoints, WORKTREES_EXTENSION } from '../../src-main/engine/workspaces';
import { git, makeRepo, write, type Fixture } from '../git/repo-fixture';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

let fx: Fixture;
let t: TempEngine;
afterEach(async () => {
  await t.cleanup();
  fx.cleanup();
});

const DEPARTMENTS = [
  { id: 'dep-a', name: 'Frontend' },
  { id: 'dep-b', name: 'Docs' },
];

/** A repository and an engine with run-1's two department worktrees prepared. */
async function preparedRun() {
  fx = makeRepo();
  t = await tempEngine();
  const { engine } = t;
  const map = await engine.workspaces.prepare(
    'run-1',
    { path: fx.repo, worktreeRoot: fx.worktreeRoot },
    DEPARTMENTS,
  );
  return { engine, map };
}

it('restoring a checkpoint puts every department branch back and keeps newer work aside', async () => {
  const { engine, map } = await preparedRun();
  const a = map.get('dep-a')!;
  write(a.path, 'ui.txt', 'first\n');
  const first = await engine.workspaces.commitAll('run-1', 'dep-a', 'ui: first');

  const cp = await engine.checkpoints.create({ name: 'before the rewrite' });

  write(a.path, 'ui.txt', 'second\n');
  const second = await engine.workspaces.commitAll('run-1', 'dep-a', 'ui: second');
  write(a.path, 'draft.txt', 'not committed\n');
  expect(second.commit).not.toBe(first.commit);

  const result = await engine.checkpoints.restore(cp.id);
  expect(result.success).toBe(true);
  expect(git(fx.repo, 'rev-parse', a.branch!)).toBe(first.commit);
  expect(readFileSync(join(a.path, 'ui.txt'), 'utf8')).toBe('first\n');
  expect(existsSync(join(a.path, 'draft.txt'))).toBe(false);
  // The newer commit and the uncommitted file live on the side branch named in the warnings.
  const kept = result.warnings.join('\n').match(/kept on branch (\S+)\./)?.[1];
  expect(kept).toBeDefined();
  expect(git(fx.repo, 'show', `${kept}:ui.txt`)).toBe('second');
  expect(git(fx.repo, 'show', `${kept}:draft.txt`)).toBe('not committed');

  // Undo the restore: the pre-restore checkpoint recorded the newer commit.
  await engine.checkpoints.restore(result.preRestoreCheckpointId!);
  expect(git(fx.repo, 'rev-parse', a.branch!)).toBe(second.commit);
});

it('takes only commits from a checkpoint: its branch names and folders are ignored', async () => {
  const { engine, map } = await preparedRun();
  const b = map.get('dep-b')!;
  const main = git(fx.repo, 'rev-parse', 'main');
  write(b.path, 'guide.md', 'guide\n');
  const { commit } = await engine.workspaces.commitAll('run-1', 'dep-b', 'docs');
  const restored: unknown[] = [];
  const ext = worktreeCheckpoints({
    runIds: () => ['run-1'],
    get: (runId, sessionId) => engine.workspaces.get(runId, sessionId),
    snapshot: (runId) => engine.workspaces.snapshot(runId),
    restore: (runId, snap) => {
      restored.push(snap);
      return engine.workspaces.restore(runId, snap);
    },
  });
  expect(ext.name).toBe(WORKTREES_EXTENSION);
  // A crafted checkpoint aims the reset at main in the user's own checkout.
  const notes = await ext.restore(
    { 'run-1': { 'dep-b': { commit, branch: 'main', path: fx.repo }, 'dep-x': { commit } } },
    { checkpointId: 'cp', liveRuns: [] },
  );
  expect(restored).toContainEqual({ 'dep-b': { commit, branch: b.branch, path: b.path } });
  expect(git(fx.repo, 'rev-parse', 'main')).toBe(main); // the user's branch is untouched
  expect(notes).toEqual([expect.stringMatching(/worktree is gone/)]);
  expect(
    await ext.restore(
      { 'run-1': { 'dep-b': { commit: 'HEAD~1' } } },
      {
        checkpointId: 'cp',
        liveRuns: [],
      },
    ),
  ).toEqual([expect.stringMatching(/unreadable/)]);
});
