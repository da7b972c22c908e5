/**
 * Bus end to end: publish → committed → delivered to a subscriber → acknowledgement committed.
 * Compared in the same run with plainjob (an SQLite job queue) doing the same work and with raw
 * better-sqlite3 batched insert + claim + ack, all on WAL + synchronous=NORMAL files.
 * Checkpoints differ by design, not by setting: the engine checkpoints its WAL from a worker
 * thread (store/sqlite/checkpointer.ts); plainjob and the raw loop keep SQLite's automatic
 * checkpoint on their single connection, as a plain better-sqlite3 program does.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { better, defineQueue, defineWorker } from 'plainjob';
import { createEngine, type Engine } from '../src-main/engine';
import { median, percentile, table } from './stats';

const N = Number(process.env.BENCH_BUS_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PUBLISHERS = 64;

/**
 * Messages per CPU-second (all threads of this process) beside messages per wall second: on a
 * machine shared with other work, wall figures swing with the load while CPU cost per message
 * does not, so the CPU ratios are the ones to compare between runs.
 */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

function tempDb(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'orch-bench-'));
  return { path: join(dir, 'bench.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function withEngine<T>(fn: (engine: Engine, director: string) => Promise<T>): Promise<T> {
  const db = tempDb();
  const engine = await createEngine({
    databasePath: db.path,
    bus: { maxQueueSize: 10_000_000, maxInFlight: 4096 },
  });
  try {
    const director = await engine.sessions.create({ type: 'director', name: 'director' });
    await engine.sessions.create({ type: 'department', name: 'worker' });
    return await fn(engine, director.id);
  } finally {
    await engine.close();
    db.done();
  }
}

/** Ours: concurrent publishers, one subscriber; until the last acknowledgement is committed. */
async function ours(
  n = N,
): Promise<{ perSec: number; perCpuSec: number; p50: number; p99: number }> {
  return withEngine(async (engine, director) => {
    const started = new Float64Array(n);
    const latency = new Float64Array(n);
    let acked = 0;
    const done = new Promise<void>((resolve) => {
      engine.on('message.acknowledged', () => {
        if (++acked === n) resolve();
      });
    });
    engine.bus.subscribe({ receivers: ['worker'] }, (m) => {
      const i = (m.content as { i: number }).i;
      latency[i] = performance.now() - started[i]!;
    });
    let next = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const publisher = async () => {
      while (next < n) {
        const i = next++;
        started[i] = performance.now();
        await engine.bus.publish({
          type: 'COMMAND',
          sender: director,
          receiver: 'worker',
          content: { i },
        });
      }
    };
    await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
    await done;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(c0);
    const sorted = Float64Array.from(latency).sort();
    return {
      perSec: n / seconds,
      perCpuSec: n / cpu,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
    };
  });
}

/** Ours at a steady rate: publish→deliver latency when the bus is not saturated. */
async function steady(
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number }> {
  return withEngine(async (engine, director) => {
    const total = rate * seconds;
    const started = new Float64Array(total);
    const latency = new Float64Array(total);
    let delivered = 0;
    const done = new Promise<void>((resolve) => {
      engine.bus.subscribe({ receivers: ['worker'] }, (m) => {
        const i = (m.content as { i: number }).i;
        latency[i] = performance.now() - started[i]!;
        if (++delivered === total) resolve();
      });
    });
    const tickMs = 5;
    const perTick = (rate * tickMs) / 1000;
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + perTick);
        while (sent < due) {
          const i = sent++;
          started[i] = performance.now();
          void engine.bus.publish({
            type: 'COMMAND',
            sender: director,
            receiver: 'worker',
            content: { i },
          });
        }
        if (sent < total) setTimeout(tick, tickMs);
        else resolve();
      };
      tick();
    });
    await done;
    const sorted = Float64Array.from(latency).sort();
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1]!,
    };
  });
}

/** plainjob: jobs added one by one while its worker runs; until the last job is marked done. */
async function plainjob(): Promise<{ perSec: number; perCpuSec: number }> {
  const db = tempDb();
  const database = new Database(db.path);
  const queue = defineQueue({ connection: better(database) });
  let completed = 0;
  const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const worker = defineWorker('bench', async () => {}, {
    queue,
    logger: silent,
    pollIntervall: 1,
    onCompleted: () => {
      if (++completed === N) resolveDone();
    },
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  void worker.start();
  // Publishers interleave with the worker, as ours do.
  for (let i = 0; i < N; i += 64) {
    for (let j = i; j < Math.min(N, i + 64); j++) queue.add('bench', { i: j });
    await new Promise((r) => setImmediate(r));
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  await worker.stop();
  queue.close();
  db.done();
  return { perSec: N / seconds, perCpuSec: N / cpu };
}

/** Raw better-sqlite3: batches of 256 inserted, claimed (UPDATE … RETURNING) and acknowledged. */
function raw(n = N): { perSec: number; perCpuSec: number } {
  const db = tempDb();
  const d = new Database(db.path);
  d.pragma('journal_mode = WAL');
  d.pragma('synchronous = NORMAL');
  d.exec(`CREATE TABLE q (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT, state INTEGER, lease INTEGER);
          CREATE INDEX q_ready ON q(seq) WHERE state = 0;`);
  const insert = d.prepare('INSERT INTO q (id, body, state) VALUES (?, ?, 0)');
  const claim = d.prepare(
    'UPDATE q SET state = 1, lease = ? WHERE seq IN (SELECT seq FROM q WHERE state = 0 ORDER BY seq LIMIT 256) RETURNING seq',
  );
  const ack = d.prepare('UPDATE q SET state = 2 WHERE seq = ?');
  const insertMany = d.transaction((from: number) => {
    for (let i = from; i < Math.min(n, from + 256); i++)
      insert.run(`m-${i}`, JSON.stringify({ i }));
  });
  const ackMany = d.transaction((rows: { seq: number }[]) => {
    for (const r of rows) ack.run(r.seq);
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 256) {
    insertMany(i);
    ackMany(claim.all(Date.now() + 30_000) as { seq: number }[]);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  d.close();
  db.done();
  return { perSec: n / seconds, perCpuSec: n / cpu };
}

/**
 * Each round measures every system once, back to back; the ratios are medians of each round's
 * own ratios, so a drift in the machine's load between rounds does not land on one side only.
 * A short warm-up first (not counted) gives every system's code the same JIT start.
 */
export async function benchBus(): Promise<Record<string, unknown>> {
  await ours(N / 10);
  raw(N / 10);
  const runs = {
    ours: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    plainjob: [] as number[],
    raw: [] as number[],
    oursCpu: [] as number[],
    plainjobCpu: [] as number[],
    rawCpu: [] as number[],
    ratioPlainjob: [] as number[],
    ratioRaw: [] as number[],
    cpuRatioPlainjob: [] as number[],
    cpuRatioRaw: [] as number[],
  };
  for (let r = 0; r < ROUNDS; r++) {
    const o = await ours();
    runs.ours.push(o.perSec);
    runs.oursCpu.push(o.perCpuSec);
    runs.p50.push(o.p50);
    runs.p99.push(o.p99);
    const pj = await plainjob();
    runs.plainjob.push(pj.perSec);
    runs.plainjobCpu.push(pj.perCpuSec);
    const rw = raw();
    runs.raw.push(rw.perSec);
    runs.rawCpu.push(rw.perCpuSec);
    runs.ratioPlainjob.push(o.perSec / pj.perSec);
    runs.ratioRaw.push(o.perSec / rw.perSec);
    runs.cpuRatioPlainjob.push(o.perCpuSec / pj.perCpuSec);
    runs.cpuRatioRaw.push(o.perCpuSec / rw.perCpuSec);
  }
  const s = await steady(5_000, 5);
  const result = {
    messages: N,
    rounds: ROUNDS,
    oursPerSec: median(runs.ours),
    oursSaturatedP50Ms: median(runs.p50),
    oursSaturatedP99Ms: median(runs.p99),
    plainjobPerSec: median(runs.plainjob),
    rawBatchedPerSec: median(runs.raw),
    oursPerCpuSec: median(runs.oursCpu),
    plainjobPerCpuSec: median(runs.plainjobCpu),
    rawBatchedPerCpuSec: median(runs.rawCpu),
    steady5kP50Ms: s.p50,
    steady5kP99Ms: s.p99,
    steady5kMaxMs: s.max,
  };
  const ratioPlainjob = median(runs.ratioPlainjob);
  const ratioRaw = median(runs.ratioRaw);
  const cpuRatioPlainjob = median(runs.cpuRatioPlainjob);
  const cpuRatioRaw = median(runs.cpuRatioRaw);
  const spread = (xs: number[], percent = false) => {
    const f = (x: number) => (percent ? `${(x * 100).toFixed(0)} %` : `${x.toFixed(2)}×`);
    return `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
  };
  console.log(
    `\nBus end to end (${N} messages, ${ROUNDS} rounds, medians; ratios are medians of per-round ratios; publish → durable → delivered → ack durable)`,
  );
  console.log(
    table(
      ['system', 'msg/s', 'ratio (ours / it)', 'goal', 'msg/CPU-s', 'CPU ratio'],
      [
        [
          'ours (64 concurrent publishers)',
          result.oursPerSec.toFixed(0),
          '—',
          '',
          result.oursPerCpuSec.toFixed(0),
          '—',
        ],
        [
          'plainjob',
          result.plainjobPerSec.toFixed(0),
          ratioPlainjob.toFixed(2) + '×',
          '≥ 5×',
          result.plainjobPerCpuSec.toFixed(0),
          cpuRatioPlainjob.toFixed(2) + '×',
        ],
        [
          'raw better-sqlite3, batches of 256',
          result.rawBatchedPerSec.toFixed(0),
          (ratioRaw * 100).toFixed(0) + ' %',
          '≥ 40 %',
          result.rawBatchedPerCpuSec.toFixed(0),
          (cpuRatioRaw * 100).toFixed(0) + ' %',
        ],
      ],
    ),
  );
  console.log(
    `latency publish→deliver: saturated p50 ${result.oursSaturatedP50Ms.toFixed(1)} ms / p99 ${result.oursSaturatedP99Ms.toFixed(1)} ms; ` +
      `steady 5,000 msg/s p50 ${s.p50.toFixed(2)} ms / p99 ${s.p99.toFixed(2)} ms (goal < 10 ms) / max ${s.max.toFixed(1)} ms`,
  );
  console.log(
    `per-round ratios: plainjob ${spread(runs.ratioPlainjob)}, raw ${spread(runs.ratioRaw, true)} (CPU ${spread(runs.cpuRatioRaw, true)})`,
  );
  return {
    ...result,
    ratioPlainjob,
    ratioRaw,
    cpuRatioPlainjob,
    cpuRatioRaw,
    perRound: {
      ratioPlainjob: runs.ratioPlainjob,
      ratioRaw: runs.ratioRaw,
      cpuRatioRaw: runs.cpuRatioRaw,
    },
    loadAverage: loadavg(),
  };
}
