/**
 * Worktrees: from "Run" to all 8 departments ready (a git worktree each, on its own branch, and
 * its agent process started and answering) on a repository of 5,000 files — engine.workspaces
 * (prepare: every worktree in parallel, then the 8 agents at once) against a shell script doing
 * the same 8 `git worktree add` + agent starts one after another. The agent is the real Claude
 * Code binary started with `--version` in both arms (the claude-code runner's own start is not
 * measured here). Arms alternate within one process; medians and the ratio are reported.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createRunWorkspaces } from '../src-main/engine/workspaces';
import { median, table } from './stats';

const FILES = 5_000;
const DEPARTMENTS = 8;
const ROUNDS = Number(process.env.BENCH_WORKTREE_ROUNDS ?? 5);
const GOAL_MS = 1_500;
const CLAUDE = join(
  import.meta.dirname,
  '..',
  'node_modules',
  '@anthropic-ai',
  'claude-agent-sdk-linux-x64',
  'claude',
);
const run = promisify(execFile);

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });

/** 5,000 small source-like files in 250 folders, committed once. */
function makeRepository(dir: string): string {
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'config', 'user.name', 'Bench');
  git(repo, 'config', 'user.email', 'bench@localhost');
  git(repo, 'config', 'commit.gpgsign', 'false');
  for (let i = 0; i < FILES; i++) {
    const folder = join(repo, 'src', `module-${Math.floor(i / 20)}`);
    if (i % 20 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, `file-${i}.ts`),
      `// file ${i}\nexport const value${i} = ${i};\nexport function f${i}(x: number) {\n  return x + ${i};\n}\n`,
    );
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'generated');
  return repo;
}

/** Removes every worktree and orchestration/bench branch, outside the timed part. */
function reset(repo: string): void {
  git(repo, 'worktree', 'prune');
  const list = git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice(9))
    .filter((p) => p !== repo);
  for (const path of list) git(repo, 'worktree', 'remove', '--force', path);
  const branches = git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/')
    .split('\n')
    .filter((b) => b && b !== 'main');
  if (branches.length) git(repo, 'branch', '-D', '--quiet', ...branches);
}

const agentStart = async (cwd: string) => {
  const { stdout } = await run(CLAUDE, ['--version'], { cwd });
  if (!/Claude Code/.test(stdout)) throw new Error(`unexpected agent output: ${stdout}`);
};

async function ours(
  repo: string,
  root: string,
  round: number,
): Promise<{ total: number; prepare: number }> {
  const workspaces = createRunWorkspaces();
  const sessions = Array.from({ length: DEPARTMENTS }, (_, i) => ({
    id: `d${i}`,
    name: `dept ${i}`,
  }));
  const t0 = performance.now();
  const map = await workspaces.prepare(
    `bench-${round}`,
    { path: repo, worktreeRoot: root },
    sessions,
  );
  const prepared = performance.now();
  await Promise.all([...map.values()].map((w) => agentStart(w.path)));
  const total = performance.now() - t0;
  if (
    map.size !== DEPARTMENTS ||
    ![...map.values()].every((w) => existsSync(join(w.path, 'src')))
  ) {
    throw new Error('not every worktree was checked out');
  }
  await workspaces.remove(`bench-${round}`);
  return { total, prepare: prepared - t0 };
}

async function script(repo: string, root: string, round: number): Promise<number> {
  const lines = ['set -e'];
  for (let i = 0; i < DEPARTMENTS; i++) {
    const path = join(root, `script-${round}`, `d${i}`);
    lines.push(
      `git -C '${repo}' worktree add --quiet -b 'bench/${round}/d${i}' '${path}' main`,
      `(cd '${path}' && '${CLAUDE}' --version >/dev/null)`,
    );
  }
  const t0 = performance.now();
  await run('bash', ['-c', lines.join('\n')]);
  return performance.now() - t0;
}

export async function benchWorktrees(): Promise<Record<string, unknown>> {
  if (!existsSync(CLAUDE)) throw new Error(`the Claude Code binary is missing: ${CLAUDE}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-worktrees-'));
  try {
    const t = performance.now();
    const repo = makeRepository(dir);
    const root = join(dir, 'worktrees');
    console.log(
      `worktrees: repository of ${FILES} files made in ${Math.round(performance.now() - t)} ms`,
    );
    // Warm the page cache for git, the binary and the repository in both arms once.
    await script(repo, root, 99);
    reset(repo);
    await ours(repo, root, 99);
    reset(repo);

    const oursTotal: number[] = [];
    const oursPrepare: number[] = [];
    const scriptTotal: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which arm goes first, so load drift hits both alike.
      const first = round % 2 === 0 ? 'ours' : 'script';
      let a = { total: 0, prepare: 0 };
      let b = 0;
      for (const arm of first === 'ours' ? ['ours', 'script'] : ['script', 'ours']) {
        if (arm === 'ours') a = await ours(repo, root, round);
        else b = await script(repo, root, round);
        reset(repo);
      }
      oursTotal.push(a.total);
      oursPrepare.push(a.prepare);
      scriptTotal.push(b);
      ratios.push(b / a.total);
    }
    const figures = {
      files: FILES,
      departments: DEPARTMENTS,
      rounds: ROUNDS,
      agent: 'Claude Code binary, --version (both arms)',
      oursMedianMs: Math.round(median(oursTotal)),
      oursPrepareMedianMs: Math.round(median(oursPrepare)),
      scriptMedianMs: Math.round(median(scriptTotal)),
      speedupMedian: Math.round(median(ratios) * 100) / 100,
      goalMs: GOAL_MS,
      underGoal: median(oursTotal) < GOAL_MS,
      fasterThanScript: median(ratios) > 1,
      oursMs: oursTotal.map(Math.round),
      scriptMs: scriptTotal.map(Math.round),
    };
    console.log(
      table(
        ['arm', 'median ms', 'runs (ms)'],
        [
          [
            'engine.workspaces (parallel) + 8 agents',
            String(figures.oursMedianMs),
            figures.oursMs.join(' '),
          ],
          [
            '  of which prepare()',
            String(figures.oursPrepareMedianMs),
            oursPrepare.map(Math.round).join(' '),
          ],
          [
            'shell script, one after another',
            String(figures.scriptMedianMs),
            figures.scriptMs.join(' '),
          ],
        ],
      ),
    );
    console.log(
      `worktrees: script / ours = ${figures.speedupMedian}× (median of per-round ratios); goal < ${GOAL_MS} ms: ${figures.underGoal ? 'met' : 'NOT met'}`,
    );
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
