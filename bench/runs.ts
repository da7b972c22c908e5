/**
 * Fan-out runs per second: 1 director (fan-out) × 8 script departments doing no work, end to end
 * through the real engine (SQLite file, bus, worker pool): create 9 sessions, 8 DIRECTIONs out,
 * 8 script tasks in worker threads (state loaded and saved), 8 COMPLETION_NOTIFICATIONs back,
 * sessions completed, run recorded. One run at a time, and CONCURRENT runs at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine, type Engine } from '../src-main/engine';
import type { WorkflowDefinition } from '../src-shared/workflow';
import { median, percentile } from './stats';

const DEPARTMENTS = 8;
const RUNS = 100;
const ROUNDS = 3;
const WARMUP = 10;
/** Runs in flight at once in the concurrent mode (9 sessions each; the default limit is 100 live). */
const CONCURRENT = 8;

function fanOut(): WorkflowDefinition {
  const departments = Array.from({ length: DEPARTMENTS }, (_, i) => ({
    id: `d${i}`,
    type: 'department' as const,
    name: `d${i}`,
    runner: { kind: 'script' as const, source: 'async function handle() { return null; }' },
    position: { x: 200, y: i * 80 },
  }));
  return {
    name: 'bench fan-out',
    sessions: [
      {
        id: 'director',
        type: 'director',
        name: 'director',
        runner: { kind: 'fan-out' },
        position: { x: 0, y: 0 },
      },
      ...departments,
    ],
    edges: departments.map((d) => ({ id: `e-${d.id}`, from: 'director', to: d.id })),
  };
}

/** Runs `count` runs with `inFlight` at a time; returns elapsed ms and per-run latencies. */
async function drive(engine: Engine, workflowId: string, count: number, inFlight: number) {
  const latencies: number[] = [];
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      const t0 = performance.now();
      const run = await engine.runs.start(workflowId, null);
      const done = await engine.runs.wait(run.id, 60_000);
      if (done.status !== 'completed') throw new Error(`bench run ${done.status}: ${done.error}`);
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { ms: performance.now() - t0, latencies };
}

export async function benchRuns(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-runs-'));
  const engine = await createEngine({ databasePath: join(dir, 'bench.db') });
  const out: Record<
    string,
    { runsPerSec: number; p50Ms: number; p95Ms: number; samplesMs: number[] }
  > = {};
  try {
    const workflow = await engine.workflows.create(fanOut());
    await drive(engine, workflow.id, WARMUP, 1);
    for (const [mode, inFlight] of [
      ['sequential', 1],
      [`concurrent${CONCURRENT}`, CONCURRENT],
    ] as const) {
      const samples: number[] = [];
      const latencies: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const r = await drive(engine, workflow.id, RUNS, inFlight);
        samples.push(r.ms);
        latencies.push(...r.latencies);
      }
      latencies.sort((a, b) => a - b);
      out[mode] = {
        runsPerSec: Number(((RUNS / median(samples)) * 1000).toFixed(1)),
        p50Ms: Number(percentile(latencies, 0.5).toFixed(1)),
        p95Ms: Number(percentile(latencies, 0.95).toFixed(1)),
        samplesMs: samples.map((ms) => Number(ms.toFixed(0))),
      };
    }
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const seq = out.sequential!;
  const con = out[`concurrent${CONCURRENT}`]!;
  console.log(
    `\nRuns: fan-out 1 director × ${DEPARTMENTS} script departments (no-op), ${RUNS} runs × median of ${ROUNDS}: ` +
      `${seq.runsPerSec} runs/s one at a time (p50 ${seq.p50Ms} ms), ` +
      `${con.runsPerSec} runs/s with ${CONCURRENT} in flight (p50 ${con.p50Ms} ms, p95 ${con.p95Ms} ms)`,
  );
  return { departments: DEPARTMENTS, runs: RUNS, rounds: ROUNDS, concurrent: CONCURRENT, ...out };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRuns();
