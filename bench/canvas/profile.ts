/**
 * Diagnosis helper for the canvas bench (not part of `npm run bench`): opens the 500/600 workflow
 * under stream traffic and prints the page's hottest functions (CDP CPU profile, self time).
 *   npx tsx bench/canvas/profile.ts [rate=1000] [seconds=4] [nodes=500] [edges=600]
 * TRACE=1 adds a 2 s Chromium trace's busiest events (TRACE=file.json also saves it); CSS=… adds a
 * style sheet first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../../src-main/server';
import { edgeCounts, launch, openWorkflow, sampleFrames } from './browser';
import { flow, routesOf } from './traffic';
import { generateWorkflow } from './workflow';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 4);
const nodes = Number(process.argv[4] ?? 500);
const edges = Number(process.argv[5] ?? 600);
const dir = mkdtempSync(join(tmpdir(), 'bench-canvas-profile-'));
const server = await startServer({
  port: 0,
  databasePath: join(dir, 'p.db'),
  rendererDir: process.env.CANVAS_RENDERER_DIR,
  engineOptions: { maxSessions: 10_000, sessionTimeoutMs: 3_600_000 },
});
const browser = await launch();
try {
  const def = generateWorkflow(nodes, edges);
  const workflow = await server.engine.workflows.create(def);
  const run = await server.engine.runs.start(workflow.id, 'profile');
  const got = (await server.engine.runs.get(run.id))!;
  const open = await openWorkflow(browser, server.url, workflow.id, nodes, edges);
  const f = {
    source: 'stream' as const,
    engine: server.engine,
    runId: run.id,
    sessions: got.sessions,
    routes: routesOf(def),
    perEdge: new Map<string, number>(),
  };
  if (process.env.CSS) await open.page.addStyleTag({ content: process.env.CSS });
  // As the bench does: measure once the run's start has been shown (counts unchanged for 2 s).
  const shown = async () => Object.values(await edgeCounts(open.page)).reduce((a, b) => a + b, 0);
  for (let stable = 0, last = -1, t0 = Date.now(); stable < 4 && Date.now() - t0 < 60_000;) {
    await sleep(500);
    const now = await shown();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  const traffic = flow(f, rate, (seconds * 2 + 2) * 1000);
  await sleep(1000);
  if (process.env.SHOT) await open.page.screenshot({ path: process.env.SHOT });
  await open.cdp.send('Performance.enable');
  const metrics = async () =>
    Object.fromEntries(
      (
        (await open.cdp.send('Performance.getMetrics')) as {
          metrics: { name: string; value: number }[];
        }
      ).metrics.map((m) => [m.name, m.value]),
    );
  if (process.env.TRACE) {
    await browser.startTracing(open.page, {
      categories: [
        'devtools.timeline',
        'blink',
        'v8',
        ...(process.env.TRACE_EXTRA ?? '').split(',').filter(Boolean),
      ],
    });
    await sleep(2000);
    const buf = await browser.stopTracing();
    if (process.env.TRACE.endsWith('.json')) writeFileSync(process.env.TRACE, buf);
    const trace = JSON.parse(buf.toString()) as {
      traceEvents: {
        name: string;
        ph: string;
        dur?: number;
        tid: number;
        pid: number;
        args?: { name?: string };
      }[];
    };
    const main = trace.traceEvents.find(
      (e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
    );
    const agg = new Map<string, number>();
    for (const e of trace.traceEvents) {
      if (!main || e.tid !== main.tid || e.pid !== main.pid || e.ph !== 'X' || !e.dur) continue;
      agg.set(e.name, (agg.get(e.name) ?? 0) + e.dur);
    }
    for (const [k, us] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
    }
  }
  const m0 = await metrics();
  const s = await sampleFrames(open.page, seconds * 1000);
  const m1 = await metrics();
  const sorted = [...s.frames].sort((a, b) => a - b);
  console.log(
    `frames ${s.frames.length}, p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)}, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)}, shown/s ${((s.countEnd - s.countStart) / seconds).toFixed(0)}, ` +
      `frames > 17 ms ${((100 * s.frames.filter((f) => f > 17).length) / s.frames.length).toFixed(1)}%, ` +
      `> 34 ms ${((100 * s.frames.filter((f) => f > 34).length) / s.frames.length).toFixed(1)}%`,
  );
  for (const k of [
    'TaskDuration',
    'ScriptDuration',
    'LayoutDuration',
    'RecalcStyleDuration',
    'LayoutCount',
    'RecalcStyleCount',
    'Nodes',
  ]) {
    console.log(`  ${k}: ${((m1[k] ?? 0) - (m0[k] ?? 0)).toFixed(2)} (now ${m1[k]})`);
  }
  await open.cdp.send('Profiler.enable');
  await open.cdp.send('Profiler.start');
  await sleep(seconds * 1000);
  const { profile } = (await open.cdp.send('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  await traffic;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const byName = new Map<string, number>();
  for (const n of profile.nodes) {
    const c = n.callFrame;
    const key = `${c.functionName || '(anon)'} ${c.url.split('/').pop()}:${c.lineNumber}:${c.columnNumber}`;
    byName.set(key, (byName.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  // Inclusive time by function name (each name counted once per stack).
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName || '(anon)';
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + us);
    }
  }
  console.log('inclusive:');
  for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 45)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  console.log(`total sampled ${(total / 1000).toFixed(0)} ms over ${seconds} s`);
  for (const [k, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
