/**
 * Worktrees: from "Run" (the prepare call) to all 8 departments ready (a git worktree each, on
 * its own branch, and its agent process started and answering) on a repository of 5,000 files.
 * Three arms, rotated within one process, medians and ratios reported:
 * - warm: engine.workspaces with ready worktrees (spares) made beforehand, outside the timed part,
 *   as the engine does in the background after a run (each round says how many were ready; the
 *   previous round's worktrees come back as spares when it is removed, as in the product);
 * - cold: engine.workspaces with no spares (every worktree checked out at Run, in parallel);
 * - script: a shell script doing the same 8 `git worktree add` + agent starts one after another.
 * The agent is the real Claude Code binary started with `--version` in every arm (the claude-code
 * runner's own start is not measured here).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createRunWorkspaces, type RunWorkspaces } from '../src-main/engine/workspaces';
import { SPARES_FOLDER } from '../src-main/engine/workspaces/layout';
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

/**
 * Removes every worktree and orchestration/bench branch, outside the timed part; the warm arm's
 * ready worktrees (under .spares/) stay, as they would between two runs.
 */
function reset(repo: string): void {
  git(repo, 'worktree', 'prune');
  const list = git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice(9))
    .filter((p) => p !== repo && !p.includes(`${sep}${SPARES_FOLDER}${sep}`));
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

interface Timing {
  total: number;
  prepare: number;
  /** Ready worktrees when Run was pressed. */
  spares: number;
}

const sessions = Array.from({ length: DEPARTMENTS }, (_, i) => ({
  id: `d${i}`,
  name: `dept ${i}`,
}));

/** Run → every worktree prepared → 8 agents started and answering. */
async function ours(
  workspaces: RunWorkspaces,
  repo: string,
  root: string,
  runId: string,
): Promise<Timing> {
  const spares = workspaces.spareWorktrees().filter((s) => s.state === 'ready').length;
  const t0 = performance.now();
  const map = await workspaces.prepare(runId, { path: repo, worktreeRoot: root }, sessions);
  const prepared = performance.now();
  await Promise.all([...map.values()].map((w) => agentStart(w.path)));
  const total = performance.now() - t0;
  for (const w of map.values()) {
    if (
      !existsSync(join(w.path, 'src', 'module-249', 'file-4999.ts')) ||
      git(w.path, 'symbolic-ref', '--short', 'HEAD').trim() !== w.branch
    ) {
      throw new Error(`${w.path} is not a full checkout on ${w.branch}`);
    }
  }
  await workspaces.remove(runId);
  return { total, prepare: prepared - t0, spares };
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

type Arm = 'warm' | 'cold' | 'script';
const ARMS: Arm[] = ['warm', 'cold', 'script'];

export async function benchWorktrees(): Promise<Record<string, unknown>> {
  if (!existsSync(CLAUDE)) throw new Error(`the Claude Code binary is missing: ${CLAUDE}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-worktrees-'));
  // The refill after each Run is left to the explicit warm() between rounds (untimed).
  const warmWorkspaces = createRunWorkspaces({
    spares: { perRepository: DEPARTMENTS, refillDelayMs: 3_600_000 },
  });
  const coldWorkspaces = createRunWorkspaces();
  try {
    const t = performance.now();
    const repo = makeRepository(dir);
    const root = join(dir, 'worktrees');
    console.log(
      `worktrees: repository of ${FILES} files made in ${Math.round(performance.now() - t)} ms`,
    );
    // Warm the page cache for git, the binary and the repository in every arm once.
    await script(repo, root, 99);
    reset(repo);
    await ours(coldWorkspaces, repo, root, 'bench-cold-99');
    reset(repo);
    const w = performance.now();
    await warmWorkspaces.warm({ path: repo, worktreeRoot: root }, DEPARTMENTS);
    console.log(
      `worktrees: ${DEPARTMENTS} ready worktrees made in ${Math.round(performance.now() - w)} ms (background work in the product, not timed)`,
    );

    const times: Record<Arm, number[]> = { warm: [], cold: [], script: [] };
    const prepares: Record<'warm' | 'cold', number[]> = { warm: [], cold: [] };
    const ready: number[] = [];
    const ratios = { warm: [] as number[], cold: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate which arm goes first, so load drift hits every arm alike.
      const order = ARMS.map((_, i) => ARMS[(i + round) % ARMS.length]!);
      const got: Partial<Record<Arm, number>> = {};
      for (const arm of order) {
        if (arm === 'script') {
          got.script = await script(repo, root, round);
        } else {
          if (arm === 'warm') {
            // Between runs the engine refills in the background; here it is awaited, untimed.
            await warmWorkspaces.warm({ path: repo, worktreeRoot: root }, DEPARTMENTS);
          }
          const r = await ours(
            arm === 'warm' ? warmWorkspaces : coldWorkspaces,
            repo,
            root,
            `bench-${arm}-${round}`,
          );
          got[arm] = r.total;
          prepares[arm].push(r.prepare);
          if (arm === 'warm') ready.push(r.spares);
        }
        reset(repo);
      }
      for (const arm of ARMS) times[arm].push(got[arm]!);
      console.log(
        `worktrees: round ${round + 1}/${ROUNDS}: warm ${Math.round(got.warm!)} ms (${ready.at(-1)} ready), cold ${Math.round(got.cold!)} ms, script ${Math.round(got.script!)} ms`,
      );
      ratios.warm.push(got.script! / got.warm!);
      ratios.cold.push(got.script! / got.cold!);
    }
    const med = (v: number[]) => Math.round(median(v));
    const ratio = (v: number[]) => Math.round(median(v) * 100) / 100;
    const figures = {
      files: FILES,
      departments: DEPARTMENTS,
      rounds: ROUNDS,
      agent: 'Claude Code binary, --version (every arm)',
      warmReadySpares: ready,
      warmMedianMs: med(times.warm),
      warmPrepareMedianMs: med(prepares.warm),
      coldMedianMs: med(times.cold),
      coldPrepareMedianMs: med(prepares.cold),
      scriptMedianMs: med(times.script),
      speedupWarmMedian: ratio(ratios.warm),
      speedupColdMedian: ratio(ratios.cold),
      goalMs: GOAL_MS,
      underGoalWarm: median(times.warm) < GOAL_MS,
      underGoalCold: median(times.cold) < GOAL_MS,
      fasterThanScriptWarm: median(ratios.warm) > 1,
      fasterThanScriptCold: median(ratios.cold) > 1,
      warmMs: times.warm.map(Math.round),
      coldMs: times.cold.map(Math.round),
      scriptMs: times.script.map(Math.round),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    };
    const row = (label: string, v: number[]) => [
      label,
      String(med(v)),
      v.map(Math.round).join(' '),
    ];
    console.log(
      table(
        ['arm', 'median ms', 'runs (ms)'],
        [
          row(
            `warm: ready worktrees (${ready.join(', ')} of ${DEPARTMENTS} ready) + 8 agents`,
            times.warm,
          ),
          row('  of which prepare()', prepares.warm),
          row('cold: no ready worktree, 8 checkouts in parallel + 8 agents', times.cold),
          row('  of which prepare()', prepares.cold),
          row('shell script, one after another', times.script),
        ],
      ),
    );
    console.log(
      `worktrees: script / warm = ${figures.speedupWarmMedian}×, script / cold = ${figures.speedupColdMedian}× (medians of per-round ratios); goal < ${GOAL_MS} ms: warm ${figures.underGoalWarm ? 'met' : 'NOT met'}, cold ${figures.underGoalCold ? 'met' : 'NOT met'}; load ${figures.loadAverage.join(' ')}`,
    );
    return figures;
  } finally {
    await warmWorkspaces.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
