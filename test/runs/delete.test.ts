/**
 * runs.delete removes a finished run and its worktrees: merged branches go, a branch with
 * unmerged work is kept; the event stream says the run went.
 */
import { existsSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { git, makeRepo, write, type Fixture } from '../git/repo-fixture';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { returns, runToEnd, scriptDept, star } from './helpers';

let fx: Fixture;
let t: TempEngine;
afterEach(async () => {
  await t.cleanup();
  fx.cleanup();
});

it('deletes a finished run with its worktrees, keeping a branch with unmerged work', async () => {
  fx = makeRepo();
  t = await tempEngine();
  const { engine } = t;
  const run = await runToEnd(engine, star('done', [scriptDept('a', returns(1))]), null);
  expect(run.status).toBe('completed');
  const map = await engine.workspaces.prepare(
    run.id,
    { path: fx.repo, worktreeRoot: fx.worktreeRoot },
    [
      { id: 'dep-merged', name: 'Merged' },
      { id: 'dep-open', name: 'Open' },
    ],
  );
  const open = map.get('dep-open')!;
  write(open.path, 'wip.txt', 'work in progress\n');
  await engine.workspaces.commitAll(run.id, 'dep-open', 'wip');
  const kinds: string[] = [];
  const off = engine.stream.subscribe((batch) => kinds.push(...batch.map((e) => e.kind)));

  expect(await engine.runs.delete(run.id)).toBe(true);
  expect(await engine.runs.get(run.id)).toBeUndefined();
  for (const w of map.values()) expect(existsSync(w.path)).toBe(false);
  const branches = git(fx.repo, 'branch', '--list', 'orchestration/*');
  expect(branches).toContain(open.branch!); // unmerged work is never thrown away
  expect(branches).not.toContain(map.get('dep-merged')!.branch!);
  expect(engine.workspaces.get(run.id, 'dep-open')).toBeUndefined();
  await waitFor(() => kinds.includes('run.deleted'), 'run.deleted on the stream');
  off();
  expect(await engine.runs.delete(run.id)).toBe(false);
});
