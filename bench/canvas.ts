/**
 * Canvas frame time under live traffic, in headless Chromium (the e2e tests' flags) against the
 * real server (startServer: HTTP + WebSocket bridge, SQLite engine) and the built renderer.
 *
 * For each workflow size a fresh server and database; the workflow is generated (bench/canvas/
 * workflow.ts), created over the contract (`workflows.create` on /api/rpc) and opened from the
 * header's workflow picker. Then, per cell, messages flow server-side at a target rate (bench/canvas/
 * traffic.ts) while the page samples requestAnimationFrame intervals for WINDOW_MS (60 s per cell,
 * as the issue asks; CANVAS_WINDOW_MS=10000 for a quicker look) and the JS heap (CDP, after a
 * forced GC) before and after. After each cell the counts on the edge labels are read back and
 * compared, edge by edge, with the messages sent.
 *
 * The bus sustains ~5k msg/s alone on this 2-CPU machine (bench/results/bus.json) and far less
 * beside a busy Chromium, so only the 1k cell uses the bus (`runs.send` in a live run with
 * manual departments); the faster cells push the same stream events straight into
 * engine.stream, which the WebSocket bridge delivers exactly as it delivers the bus's. Both
 * workflows are created and run over the real API (the contract takes up to 5,000 sessions;
 * the engine runs with maxSessions 10,000). The page subscribes as a viewer (digest frames).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from '@playwright/test';
import { startServer, type RunningServer } from '../src-main/server';
import type { Run, Workflow, WorkflowDefinition } from '../src-shared/workflow';
import {
  buildReference,
  edgeCounts,
  heapMb,
  launch,
  openReference,
  openWorkflow,
  sampleFrames,
  setReferenceRate,
  type OpenPage,
} from './canvas/browser';
import { flow, routesOf, type Flow, type Source } from './canvas/traffic';
import { generateWorkflow } from './canvas/workflow';
import { percentile, table } from './stats';

const ROOT = join(import.meta.dirname, '..');
/** Another built renderer to measure (say a build of an earlier commit, for before/after). */
const RENDERER_DIR = process.env.CANVAS_RENDERER_DIR && resolve(process.env.CANVAS_RENDERER_DIR);
const WINDOW_MS = Number(process.env.CANVAS_WINDOW_MS ?? 60_000);
const WARMUP_MS = 500;
const IDLE_MS = 3_000;
const GOAL_P95_MS = 20;
/** At most this long after opening, for the run's start to be shown before measuring. */
const CATCH_UP_MS = 60_000;
/** How long a cell waits after its traffic for the labels to add up to what was sent. */
const SETTLE_MS = 3_000;
/** …and for the one cell whose counts are verified edge by edge however far behind the page is. */
const VERIFY_SETTLE_MS = 30_000;

interface Cell {
  rate: number;
  source: Source;
  /** The bare React Flow reference p95 (ARCHITECTURE.md, issue 4), when there is one. */
  reference?: number;
  /** Wait up to VERIFY_SETTLE_MS (not SETTLE_MS) for every edge's label to match what was sent. */
  verify?: boolean;
}

interface Size {
  nodes: number;
  edges: number;
  cells: Cell[];
}

const SIZES: Size[] = [
  {
    nodes: 500,
    edges: 600,
    cells: [
      { rate: 1_000, source: 'bus', reference: 16.8, verify: true },
      { rate: 5_000, source: 'stream', reference: 33 },
      { rate: 20_000, source: 'stream', reference: 167 },
    ],
  },
  {
    nodes: 2_000,
    edges: 2_400,
    // The issue's rates, and 2k: the rate of the reference's figure for this size.
    cells: [
      { rate: 1_000, source: 'stream' },
      { rate: 2_000, source: 'stream', reference: 33 },
      { rate: 5_000, source: 'stream' },
      { rate: 20_000, source: 'stream' },
    ],
  },
];

export interface CellFigures {
  workflow: string;
  source: Source | 'idle';
  targetPerSec: number;
  sentPerSec: number;
  /** message.published the page counted on edges per second during the window. */
  deliveredPerSec: number;
  wsKiBPerSec: number;
  frames: number;
  fps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  referenceP95Ms: number | null;
  /** The bare React Flow page (bench/canvas/reference.tsx) at the same rate, in this run. */
  barePageP50Ms: number | null;
  barePageP95Ms: number | null;
  heapStartMb: number;
  heapEndMb: number;
  sent: number;
  shown: number;
  /** Edges whose label differs from the messages sent along them (after settling). */
  edgesMismatched: number;
  settleMs: number;
  /** 1-minute load average when the cell ended (the machine is shared; 2 CPUs here). */
  load: number;
  notes: string[];
}

/** Builds out/renderer when it is missing or older than its sources (as e2e/global-setup does). */
function ensureRenderer(): void {
  const newest = (path: string): number => {
    if (!existsSync(path)) return 0;
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
  };
  const built = join(ROOT, 'out', 'renderer', 'index.html');
  const sources = Math.max(
    ...['src-renderer', 'src-shared', 'resources'].map((d) => newest(join(ROOT, d))),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  console.log('canvas: out/renderer is missing or stale; building with electron-vite…');
  execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

async function rpc<T>(server: RunningServer, method: string, params: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/rpc`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { code: string; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.code}: ${body.error.message}`);
  return body.result as T;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const round = (n: number, d = 1) => Number(n.toFixed(d));

/** The workflow and a live run (every department waiting) whose session map routes events. */
async function prepare(
  server: RunningServer,
  def: WorkflowDefinition,
): Promise<{ workflow: Workflow; run: Run }> {
  const workflow = await rpc<Workflow>(server, 'workflows.create', { definition: def });
  const run = await rpc<Run>(server, 'runs.start', { workflowId: workflow.id, input: 'bench' });
  // The fan-out director hands each manual department a DIRECTION; wait until all wait.
  for (
    let i = 0;
    i < 1_200 && server.engine.runs.waiting(run.id).length < def.sessions.length - 1;
    i++
  ) {
    await sleep(100);
  }
  return { workflow, run: (await server.engine.runs.get(run.id))! };
}

async function measureIdle(open: OpenPage, label: string): Promise<CellFigures> {
  const heapStartMb = await heapMb(open.cdp);
  const s = await sampleFrames(open.page, IDLE_MS);
  return figures(label, 'idle', 0, 0, s, heapStartMb, await heapMb(open.cdp), 0, 0, 0, 0, []);
}

function figures(
  workflow: string,
  source: CellFigures['source'],
  target: number,
  sentPerSec: number,
  s: Awaited<ReturnType<typeof sampleFrames>>,
  heapStartMb: number,
  heapEndMb: number,
  sent: number,
  shown: number,
  edgesMismatched: number,
  settleMs: number,
  notes: string[],
  reference?: number,
): CellFigures {
  const sorted = [...s.frames].sort((a, b) => a - b);
  const seconds = s.ms / 1000;
  return {
    workflow,
    source,
    targetPerSec: target,
    sentPerSec: Math.round(sentPerSec),
    deliveredPerSec: Math.round((s.countEnd - s.countStart) / seconds),
    wsKiBPerSec: Math.round(s.wsChars / 1024 / seconds),
    frames: s.frames.length,
    fps: round(s.frames.length / seconds),
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    referenceP95Ms: reference ?? null,
    barePageP50Ms: null,
    barePageP95Ms: null,
    heapStartMb: round(heapStartMb),
    heapEndMb: round(heapEndMb),
    sent,
    shown,
    edgesMismatched,
    settleMs: Math.round(settleMs),
    load: round(loadavg()[0]!),
    notes,
  };
}

async function measureCell(
  open: OpenPage,
  f: Flow,
  label: string,
  cell: Cell,
): Promise<CellFigures> {
  const notes: string[] = [];
  const before = await edgeCounts(open.page);
  const sentBefore = new Map(f.perEdge);
  const heapStartMb = await heapMb(open.cdp);
  const traffic = flow(f, cell.rate, WARMUP_MS + WINDOW_MS + 500);
  await sleep(WARMUP_MS);
  const s = await sampleFrames(open.page, WINDOW_MS);
  const t = await traffic;
  if (t.failed) notes.push(`${t.failed} sends failed: ${t.firstError}`);
  if (t.skipped) notes.push(`${t.skipped} not sent: ${2_000} sends pending (bus saturated)`);
  // Counts must all arrive: wait until the labels add up to what was sent (or SETTLE_MS).
  const expected = sum(before) + t.sent;
  const t0 = Date.now();
  let after = await edgeCounts(open.page);
  while (sum(after) < expected && Date.now() - t0 < (cell.verify ? VERIFY_SETTLE_MS : SETTLE_MS)) {
    await sleep(250);
    after = await edgeCounts(open.page);
  }
  const settleMs = Date.now() - t0;
  let mismatched = 0;
  for (const route of f.routes) {
    const want =
      (before[route.edgeId] ?? 0) +
      (f.perEdge.get(route.edgeId) ?? 0) -
      (sentBefore.get(route.edgeId) ?? 0);
    if ((after[route.edgeId] ?? 0) !== want) mismatched++;
  }
  const heapEndMb = await heapMb(open.cdp);
  return figures(
    label,
    cell.source,
    cell.rate,
    (t.sent * 1000) / t.ms,
    s,
    heapStartMb,
    heapEndMb,
    t.sent,
    sum(after) - sum(before),
    mismatched,
    settleMs,
    notes,
    cell.reference,
  );
}

/** The bare React Flow page at each cell's rate, right after the app's cells (same machine state). */
async function measureBarePage(
  browser: Browser,
  referenceDir: string,
  size: Size,
  cells: CellFigures[],
): Promise<void> {
  const open = await openReference(browser, referenceDir, size.nodes, size.edges);
  try {
    for (const c of cells) {
      await setReferenceRate(open, c.targetPerSec);
      await sleep(WARMUP_MS);
      const s = await sampleFrames(open.page, c.source === 'idle' ? IDLE_MS : WINDOW_MS);
      await setReferenceRate(open, 0);
      await sleep(1_000);
      const sorted = [...s.frames].sort((a, b) => a - b);
      c.barePageP50Ms = round(percentile(sorted, 0.5));
      c.barePageP95Ms = round(percentile(sorted, 0.95));
      console.log(
        `  bare React Flow ${c.workflow} ${c.targetPerSec}/s: p50 ${c.barePageP50Ms} ms, p95 ${c.barePageP95Ms} ms`,
      );
    }
  } finally {
    await open.page.close();
  }
}

async function benchSize(
  browser: Browser,
  size: Size,
  referenceDir: string,
): Promise<CellFigures[]> {
  const label = `${size.nodes}/${size.edges}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-canvas-'));
  const dbPath = join(dir, 'bench.db');
  const server = await startServer({
    port: 0,
    databasePath: dbPath,
    rendererDir: RENDERER_DIR,
    engineOptions: { maxSessions: 10_000, sessionTimeoutMs: 3_600_000 },
  });
  const out: CellFigures[] = [];
  try {
    const notes: string[] = [];
    const def = generateWorkflow(size.nodes, size.edges);
    const t0 = Date.now();
    const { workflow, run } = await prepare(server, def);
    const tOpen = Date.now();
    const open = await openWorkflow(browser, server.url, workflow.id, size.nodes, size.edges);
    const tShown = Date.now();
    // Let the page finish replaying the run's start (thousands of session events and the
    // director's messages) first: until the edge counts stop changing, so idle is idle and the
    // first cell's counts start from what the page shows.
    let last = -1;
    for (let stable = 0; stable < 4 && Date.now() - tShown < CATCH_UP_MS;) {
      await sleep(500);
      const shown = sum(await edgeCounts(open.page));
      stable = shown === last ? stable + 1 : 0;
      last = shown;
    }
    notes.push(
      `setup ${((tOpen - t0) / 1000).toFixed(1)} s, opened in the UI in ${((tShown - tOpen) / 1000).toFixed(1)} s, ` +
        `counts settled ${((Date.now() - tShown) / 1000).toFixed(1)} s later`,
    );
    const idle = await measureIdle(open, label);
    idle.notes.push(...notes);
    out.push(idle);
    log(idle);
    const f: Omit<Flow, 'source'> = {
      engine: server.engine,
      runId: run.id,
      sessions: run.sessions,
      routes: routesOf(def),
      perEdge: new Map(),
    };
    for (const cell of size.cells) {
      const figs = await measureCell(open, { ...f, source: cell.source }, label, cell);
      out.push(figs);
      log(figs);
    }
    await open.page.close();
    await measureBarePage(browser, referenceDir, size, out);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function log(c: CellFigures): void {
  console.log(
    `  ${c.workflow} ${c.source} ${c.targetPerSec}/s: p50 ${c.p50Ms} ms, p95 ${c.p95Ms} ms, ` +
      `${c.deliveredPerSec}/s shown, heap ${c.heapStartMb}→${c.heapEndMb} MB, ` +
      `sent ${c.sent} shown ${c.shown}, ${c.edgesMismatched} edges off` +
      (c.notes.length ? ` (${c.notes.join('; ')})` : ''),
  );
}

export async function benchCanvas(): Promise<Record<string, unknown>> {
  const started = Date.now();
  if (!RENDERER_DIR) ensureRenderer();
  const referenceDir = await buildReference();
  const browser = await launch();
  const cells: CellFigures[] = [];
  try {
    for (const size of SIZES) cells.push(...(await benchSize(browser, size, referenceDir)));
  } finally {
    await browser.close();
    rmSync(referenceDir, { recursive: true, force: true });
  }
  const head = [
    'workflow',
    'flow',
    'target/s',
    'sent/s',
    'shown/s',
    'fps',
    'p50 ms',
    'p95 ms',
    'reference p95',
    'bare RF p50/p95 (this run)',
    'goal ≤20',
    'heap MB start→end',
    'counts sent=shown',
    'load',
  ];
  const rows = cells.map((c) => [
    c.workflow,
    c.source,
    String(c.targetPerSec || '—'),
    String(c.sentPerSec || '—'),
    String(c.deliveredPerSec || '—'),
    String(c.fps),
    String(c.p50Ms),
    String(c.p95Ms),
    c.referenceP95Ms === null ? '—' : `${c.referenceP95Ms}`,
    c.barePageP95Ms === null ? '—' : `${c.barePageP50Ms}/${c.barePageP95Ms}`,
    c.p95Ms <= GOAL_P95_MS ? 'yes' : 'NO',
    `${c.heapStartMb}→${c.heapEndMb}`,
    c.source === 'idle'
      ? '—'
      : c.sent === c.shown && c.edgesMismatched === 0
        ? `yes (${c.sent}, every edge, after ${(c.settleMs / 1000).toFixed(1)} s)`
        : `NO: ${c.shown}/${c.sent} after ${(c.settleMs / 1000).toFixed(1)} s, ${c.edgesMismatched} edges not caught up`,
    String(c.load),
  ]);
  const suffering = cells.filter((c) => c.source !== 'idle' && c.p95Ms > GOAL_P95_MS);
  const fine = cells.filter((c) => c.source !== 'idle' && c.p95Ms <= GOAL_P95_MS);
  const bestFine = Math.max(0, ...fine.map((c) => c.deliveredPerSec));
  console.log(
    `\nCanvas: headless Chromium (software raster), real server + WebSocket bridge; ` +
      `${WINDOW_MS / 1000} s of rAF sampling per cell, heap after a forced GC; ` +
      (RENDERER_DIR ? `renderer ${RENDERER_DIR}; ` : '') +
      `${cpus().length} CPUs, load = 1-min load average (other work on the machine counts).\n` +
      `Reference: bare React Flow 12 page, no bridge (ARCHITECTURE.md "Canvas", an earlier ` +
      `measurement); bare RF (this run): the same kind of page (bench/canvas/reference.tsx) measured ` +
      `right after the app at each rate, so the two compare under the same load.\n\n` +
      table(head, rows) +
      `\n\nHighest rate the page kept up with at p95 ≤ ${GOAL_P95_MS} ms: ${bestFine} msg/s shown` +
      (suffering.length
        ? `; frames suffer at ${suffering.map((c) => `${c.workflow} ${c.targetPerSec}/s`).join(', ')}`
        : '; no cell missed the goal') +
      `\n(${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
  );
  return { windowMs: WINDOW_MS, goalP95Ms: GOAL_P95_MS, settleMs: SETTLE_MS, cells };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCanvas();
