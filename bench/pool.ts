/**
 * Pool overhead: one no-op task (`noop` in src-main/engine/pool/tasks.mjs) called directly,
 * through our worker pool, and through bare piscina with the same worker count and the same
 * number of tasks in flight. Median of ROUNDS, rounds interleaved so drift hits all three alike.
 * Goal (issue 3): pool within 1.5× bare piscina per task.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Piscina from 'piscina';
import { createWorkerPool } from '../src-main/engine/pool';

const TASKS = 20_000;
const ROUNDS = 3;
const WARMUP = 2_000;
/** Tasks kept in flight; below the pool's 1,000-task queue bound. */
const IN_FLIGHT = 256;

type RunOne = () => Promise<unknown>;

interface Figures {
  opsPerSec: number;
  usPerTask: number;
  samplesMs: number[];
}

/** Runs `count` tasks with IN_FLIGHT of them outstanding at any time; returns the elapsed ms. */
async function drive(count: number, runOne: RunOne): Promise<number> {
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      await runOne();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, lane));
  return performance.now() - t0;
}

function figures(samplesMs: number[]): Figures {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return {
    opsPerSec: Math.round((TASKS / median) * 1000),
    usPerTask: Number(((median * 1000) / TASKS).toFixed(2)),
    samplesMs: samplesMs.map((ms) => Number(ms.toFixed(1))),
  };
}

export async function benchPool(): Promise<Record<string, unknown>> {
  const workers = Math.min(8, Math.max(2, availableParallelism()));
  const tasksUrl = new URL('../src-main/engine/pool/tasks.mjs', import.meta.url);
  const { noop } = (await import(tasksUrl.href)) as { noop: (payload?: unknown) => unknown };

  const pool = createWorkerPool({ minWorkers: workers, maxWorkers: workers });
  const piscina = new Piscina({
    filename: fileURLToPath(tasksUrl),
    name: 'noop',
    minThreads: workers,
    maxThreads: workers,
  });
  const modes: Record<'direct' | 'pool' | 'piscina', RunOne> = {
    direct: async () => noop(null),
    pool: () => pool.run('noop', null),
    piscina: () => piscina.run(null),
  };
  const samples: Record<keyof typeof modes, number[]> = { direct: [], pool: [], piscina: [] };
  try {
    for (const run of Object.values(modes)) await drive(WARMUP, run);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, run] of Object.entries(modes)) {
        samples[mode as keyof typeof modes].push(await drive(TASKS, run));
      }
    }
  } finally {
    await Promise.all([pool.destroy(), piscina.destroy()]);
  }

  const result = {
    direct: figures(samples.direct),
    pool: figures(samples.pool),
    piscina: figures(samples.piscina),
  };
  const ratio = Number((result.pool.usPerTask / result.piscina.usPerTask).toFixed(2));
  console.log(
    `\nPool: no-op task, ${TASKS} tasks × median of ${ROUNDS}, ${workers} workers, ${IN_FLIGHT} in flight`,
  );
  console.table(
    Object.fromEntries(
      Object.entries(result).map(([mode, f]) => [
        mode,
        { 'ops/s': f.opsPerSec, 'µs/task': f.usPerTask },
      ]),
    ),
  );
  console.log(`pool/piscina: ${ratio}× per task (goal ≤ 1.5×)`);
  return {
    tasks: TASKS,
    rounds: ROUNDS,
    workers,
    inFlight: IN_FLIGHT,
    ...result,
    ratioPoolToPiscina: ratio,
    goalRatio: 1.5,
  };
}
