/**
 * Security overhead and load (loopback only).
 * 1. Per-call overhead of the API layer (serve(): frame checks, role check, rate limit, params
 *    validation, input guard, audit row; plus token authentication per call, as HTTP does it)
 *    against a bare engine call (bus.publish), both with JSON frames in and out, in process:
 *    rounds of one batch per variant side by side, each batch settled (audit rows committed)
 *    before the next; medians of the per-round ratios.
 * 2. N WebSocket clients, each with its own stored token, publishing at their limit (SPEC.md:
 *    1,000 per minute: the bucket's burst, then the steady rate), retrying refused publishes
 *    after retryAfterMs with the same message id; an observer subscribed to the event stream
 *    stands in for the open canvas. Reports p99 publish latency, refusals, messages lost
 *    (accepted ids missing from the database) and server RSS before/after.
 * 3. End to end over WebSocket, the same run: the real server (stored token, role check, rate
 *    limit checked on every call, params validation, input guard, audit row) against a bare
 *    WebSocket server that hands the same frames straight to engine.bus.publish. Both serve one
 *    engine; batches alternate between them, each settled (audit rows committed) before the
 *    next; the median of the per-pair ratios.
 * Run: `npm run bench security` or `node --import tsx bench/security.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { createEngine, type Engine } from '../src-main/engine';
import { RateLimiter } from '../src-main/engine/security';
import { generateToken, tokenTableMatcher, type Principal } from '../src-main/rpc/auth';
import { serve, type ServeOptions } from '../src-main/rpc/serve';
import { startServer } from '../src-main/server';
import { median, percentile, table } from './stats';

const SLICE = 500;
const SLICES = 8;
const IN_FLIGHT = 32;
const ROUNDS = Number(process.env.SECURITY_BENCH_ROUNDS ?? 11);
const CLIENTS = Number(process.env.SECURITY_BENCH_CLIENTS ?? 50);
const LOAD_SECONDS = Number(process.env.SECURITY_BENCH_SECONDS ?? 30);
/** End to end: this many WebSocket clients, each with E2E_PIPELINE calls in flight. */
const E2E_CLIENTS = 8;
const E2E_PIPELINE = 8;
const E2E_BATCH = 1_000;
const E2E_PAIRS = Number(process.env.SECURITY_BENCH_E2E_PAIRS ?? 30);
/**
 * The load runs at SPEC.md's rate (1,000 per minute = 16.7/s per client) with a smaller burst
 * (20 per 1.2 s), so clients reach their limit within seconds and the refusals/retries show.
 */
const LOAD_LIMITS = { bus: 20, windowMs: 1_200 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh engine per measured block, so every block starts from the same (empty) queue. */
async function withEngine<T>(dir: string, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const sub = mkdtempSync(join(dir, 'e-'));
  const engine = await createEngine({
    databasePath: join(sub, 'o.db'),
    bus: { maxQueueSize: 5_000_000 },
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
    rmSync(sub, { recursive: true, force: true });
  }
}

type Variant = 'bare' | 'checks' | 'ws' | 'http';
const VARIANTS: Variant[] = ['bare', 'checks', 'ws', 'http'];
type Figures = { wallUs: number; cpuUs: number };

/**
 * Per call, in process: every variant takes a JSON request frame and answers a JSON response
 * frame, so they differ only in the API layer:
 * - bare: JSON.parse, engine.bus.publish, JSON.stringify;
 * - checks: the real serve() with the issue's "auth + validation + rate limiting" (the token's
 *   expiry and role, the rate limit, frame and params checks, input guard) and no audit log;
 * - ws: the same plus the audit row, as the server gives a stored token's connection;
 * - http: as HTTP does it, the token authenticated (the startup token's check, then the stored
 *   tokens) and a one-shot serve() made per call.
 * ROUNDS rounds, each on a fresh engine (so every round starts from the same empty queue). A
 * round runs SLICES slices of SLICE publishes per variant (IN_FLIGHT at once: CPU-bound, so less
 * at the mercy of event-loop scheduling than one call at a time), the variants' order rotating
 * from slice to slice, and sums each variant's time: on a shared machine other processes come
 * and go within a second, and finely interleaved slices see the same of them. A slice (~20 ms,
 * the audit log's flush interval) ends when everything it caused is committed, its audit rows
 * included, so no variant's writes ride in, and are paid by, another's slice. The overheads are
 * medians of the per-round ratios to the same round's bare figure.
 */
async function round(dir: string): Promise<Record<Variant, Figures>> {
  return withEngine(dir, async (engine) => {
    const sender = 'bench-director';
    await engine.sessions.create({ type: 'director', name: sender });
    const stored = await engine.tokens.create({ role: 'developer', label: 'bench' });
    const { audit } = engine.security;
    // Checked on every call, never refused: this measures checking, not being refused.
    const limiter = new RateLimiter({ bus: 1e12, database: 1e12, worker: 1e12 });
    const options = (principal: Principal, transport: string, audited = true): ServeOptions => ({
      role: principal.role,
      tokenId: principal.tokenId,
      transport,
      client: '127.0.0.1',
      expiresAt: principal.expiresAt ?? null,
      security: {
        audit: audited ? audit : undefined,
        limiter,
        workspaceRoot: engine.security.workspaceRoot,
      },
    });
    const waiting = new Map<number, () => void>();
    const answered = (text: string) => {
      const id = (JSON.parse(text) as { id: number }).id;
      waiting.get(id)!();
      waiting.delete(id);
    };
    /** An in-process transport: frames as JSON text both ways, as over a socket. */
    const connect = (
      principal: Principal,
      transport: string,
      { closeAfterReply = false, audited = true } = {},
    ) => {
      let listener: (raw: unknown) => void = () => {};
      let closed = () => {};
      serve(
        engine,
        {
          send: (frame) => {
            answered(JSON.stringify(frame));
            if (closeAfterReply) closed();
          },
          onFrame: (l) => void (listener = l),
          onClose: (l) => void (closed = l),
          close: () => closed(),
        },
        options(principal, transport, audited),
      );
      return (raw: string) => listener(raw);
    };
    const principal = await engine.tokens.authenticate(stored.token);
    const ws = connect(principal, 'websocket');
    const checks = connect(principal, 'websocket', { audited: false });
    const bare = (raw: string) => {
      const frame = JSON.parse(raw) as { id: number; params: never };
      void engine.bus.publish(frame.params).then((result) => {
        answered(JSON.stringify({ type: 'response', id: frame.id, result }));
      });
    };
    // As the server authenticates: its startup token first, then the stored tokens.
    const startup = tokenTableMatcher({ [generateToken()]: 'admin' });
    const http = async (raw: string) =>
      connect(startup(stored.token) ?? (await engine.tokens.authenticate(stored.token)), 'http', {
        closeAfterReply: true,
      })(raw);
    const handlers = { bare, checks, ws, http };
    let n = 0;
    const one = (handle: (raw: string) => unknown) =>
      new Promise<void>((resolve) => {
        const id = ++n;
        waiting.set(id, resolve);
        const params = { type: 'HEARTBEAT', sender, content: { n: id } };
        void handle(JSON.stringify({ type: 'request', id, method: 'bus.publish', params }));
      });
    const batch = async (variant: Variant, calls: number): Promise<Figures> => {
      const handle = handlers[variant];
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      let left = calls;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (left-- > 0) await one(handle);
        }),
      );
      // Settled: buffered audit rows and deferred writes committed (a no-op for bare, as for
      // checks: both pay the same turn).
      await audit.flush();
      await new Promise((r) => setImmediate(r));
      const cpu = process.cpuUsage(cpu0);
      return {
        wallUs: ((performance.now() - t0) * 1000) / calls,
        cpuUs: (cpu.user + cpu.system) / calls,
      };
    };
    for (const v of VARIANTS) await batch(v, SLICE); // warm-up
    const got = { bare: [], checks: [], ws: [], http: [] } as Record<Variant, Figures[]>;
    for (let i = 0; i < SLICES; i++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + i) % VARIANTS.length]!;
        got[v].push(await batch(v, SLICE));
      }
    }
    const mean = (f: Figures[], k: keyof Figures) => f.reduce((t, x) => t + x[k], 0) / f.length;
    const perCall = (v: Variant) => ({
      wallUs: mean(got[v], 'wallUs'),
      cpuUs: mean(got[v], 'cpuUs'),
    });
    return {
      bare: perCall('bare'),
      checks: perCall('checks'),
      ws: perCall('ws'),
      http: perCall('http'),
    };
  });
}

export async function overhead(dir: string) {
  const runs: Record<Variant, Figures[]> = { bare: [], checks: [], ws: [], http: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const got = await round(dir);
    for (const v of VARIANTS) runs[v].push(got[v]);
  }
  const us = (v: Variant) => +median(runs[v].map((f) => f.wallUs)).toFixed(2);
  const pct = (v: Variant, k: keyof Figures = 'wallUs') =>
    +((median(runs[v].map((f, r) => f[k] / runs.bare[r]![k])) - 1) * 100).toFixed(1);
  return {
    rounds: ROUNDS,
    callsPerRound: SLICE * SLICES,
    bareUsPerCall: us('bare'),
    checksUsPerCall: us('checks'),
    /** Auth + validation + rate limiting (the goal: under 10 %), no audit row. */
    checksOverheadPercent: pct('checks'),
    checksCpuOverheadPercent: pct('checks', 'cpuUs'),
    securedUsPerCall: us('ws'),
    securedWithAuthUsPerCall: us('http'),
    overheadPercent: pct('ws'),
    cpuOverheadPercent: pct('ws', 'cpuUs'),
    /** What the API layer adds to one call, in µs (median of the per-round differences). */
    apiLayerUsPerCall: +median(runs.ws.map((f, r) => f.wallUs - runs.bare[r]!.wallUs)).toFixed(2),
    overheadWithAuthPercent: pct('http'),
  };
}

/** A WebSocket server with no security at all: frame in, bus.publish, frame out. */
function bareServer(engine: Engine): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: number; params: never };
      engine.bus.publish(frame.params).then(
        (result) => ws.send(JSON.stringify({ type: 'response', id: frame.id, result })),
        (error: Error) =>
          ws.send(JSON.stringify({ type: 'response', id: frame.id, error: { code: error.name } })),
      );
    });
  });
  return new Promise((resolve) =>
    wss.once('listening', () =>
      resolve({
        port: (wss.address() as { port: number }).port,
        close: () => new Promise<void>((r) => wss.close(() => r())),
      }),
    ),
  );
}

type Path = 'bare' | 'secured';

/**
 * Both paths served at once from one engine; short batches alternate between them (which goes
 * first alternates too), so both see the same machine, queue size and database. Each pair gives
 * one ratio; the median of many pairs is robust against other load on a shared machine.
 */
export async function endToEnd(dir: string) {
  return withEngine(dir, async (engine) => {
    await engine.sessions.create({ type: 'director', name: 'e2e-director' });
    const bare = await bareServer(engine);
    const server = await startServer({
      engine,
      port: 0,
      // Checked on every call, never refused: this measures checking, not being refused.
      rateLimits: { bus: 1_000_000_000, database: 1_000_000_000, worker: 1_000_000_000 },
    });
    const token = (await engine.tokens.create({ role: 'developer', label: 'e2e' })).token;
    const clients: Record<Path, LoadClient[]> = {
      bare: await Promise.all(Array.from({ length: E2E_CLIENTS }, () => connect(bare.port, ''))),
      secured: await Promise.all(
        Array.from({ length: E2E_CLIENTS }, () => connect(server.port, token)),
      ),
    };
    let n = 0;
    let failed = 0;
    const latencies: Record<Path, number[]> = { bare: [], secured: [] };
    const batch = async (path: Path, calls: number, record: boolean) => {
      let left = calls;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await Promise.all(
        clients[path].flatMap((c) =>
          Array.from({ length: E2E_PIPELINE }, async () => {
            while (left-- > 0) {
              const s = performance.now();
              const f = await c.call('bus.publish', {
                type: 'HEARTBEAT',
                sender: 'e2e-director',
                content: { n: n++ },
              });
              if (f.error) failed++;
              else if (record) latencies[path].push(performance.now() - s);
            }
          }),
        ),
      );
      // Settled: the secured batch's audit rows committed here, not carried (and paid for) by
      // the bare batch that follows; the same turn for both paths.
      await engine.security.audit.flush();
      await new Promise((r) => setImmediate(r));
      const cpu = process.cpuUsage(cpu0);
      return {
        wallUs: ((performance.now() - t0) * 1000) / calls,
        cpuUs: (cpu.user + cpu.system) / calls,
      };
    };
    await batch('bare', 1_000, false); // warm-up, both paths
    await batch('secured', 1_000, false);
    const per: Record<Path, { wallUs: number; cpuUs: number }[]> = { bare: [], secured: [] };
    const wallRatios: number[] = [];
    const cpuRatios: number[] = [];
    for (let r = 0; r < E2E_PAIRS; r++) {
      const order: Path[] = r % 2 ? ['secured', 'bare'] : ['bare', 'secured'];
      const got: Partial<Record<Path, { wallUs: number; cpuUs: number }>> = {};
      for (const p of order) per[p].push((got[p] = await batch(p, E2E_BATCH, true)));
      wallRatios.push(got.secured!.wallUs / got.bare!.wallUs);
      cpuRatios.push(got.secured!.cpuUs / got.bare!.cpuUs);
    }
    for (const c of [...clients.bare, ...clients.secured]) c.ws.close();
    await server.close();
    await bare.close();
    if (failed) throw new Error(`${failed} end-to-end calls failed`);
    const med = (p: Path, k: 'wallUs' | 'cpuUs') => median(per[p].map((x) => x[k]));
    const pct = (ratio: number) => +((ratio - 1) * 100).toFixed(1);
    const q = (values: number[], at: number) =>
      percentile(
        [...values].sort((a, b) => a - b),
        at,
      );
    return {
      pairs: E2E_PAIRS,
      callsPerBatch: E2E_BATCH,
      inFlight: E2E_CLIENTS * E2E_PIPELINE,
      bareUsPerCall: +med('bare', 'wallUs').toFixed(1),
      securedUsPerCall: +med('secured', 'wallUs').toFixed(1),
      /** Median over pairs of (secured / bare − 1), wall time. */
      overheadPercent: pct(median(wallRatios)),
      /** The same from CPU time (client and server share this process). */
      bareCpuUsPerCall: +med('bare', 'cpuUs').toFixed(1),
      securedCpuUsPerCall: +med('secured', 'cpuUs').toFixed(1),
      cpuOverheadPercent: pct(median(cpuRatios)),
      /** The spread of the per-pair figures: 25th and 75th percentile. */
      overheadPercentIqr: [pct(q(wallRatios, 0.25)), pct(q(wallRatios, 0.75))],
      bareP50Ms: +percentile(
        latencies.bare.sort((a, b) => a - b),
        0.5,
      ).toFixed(2),
      securedP50Ms: +percentile(
        latencies.secured.sort((a, b) => a - b),
        0.5,
      ).toFixed(2),
      bareP99Ms: +percentile(latencies.bare, 0.99).toFixed(2),
      securedP99Ms: +percentile(latencies.secured, 0.99).toFixed(2),
    };
  });
}

interface LoadClient {
  ws: WebSocket;
  call(
    method: string,
    params: unknown,
  ): Promise<{ result?: unknown; error?: { code: string; details: Record<string, unknown> } }>;
}

function connect(port: number, token: string): Promise<LoadClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
  const pending = new Map<number, (f: never) => void>();
  let id = 0;
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as { type: string; id?: number };
    if (f.type === 'response' && typeof f.id === 'number') {
      pending.get(f.id)?.(f as never);
      pending.delete(f.id);
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        call: (method, params) =>
          new Promise((res) => {
            const i = ++id;
            pending.set(i, res);
            ws.send(JSON.stringify({ type: 'request', id: i, method, params }));
          }),
      }),
    );
    ws.once('error', reject);
  });
}

async function load(engine: Engine, databasePath: string) {
  const server = await startServer({ engine, databasePath, port: 0, rateLimits: LOAD_LIMITS });
  const tokens = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      engine.tokens.create({ role: 'developer', label: `load-${i}` }),
    ),
  );
  for (let i = 0; i < CLIENTS; i++) {
    await engine.sessions.create({ type: 'department', name: `client-${i}` });
  }
  const clients = await Promise.all(tokens.map((t) => connect(server.port, t.token)));
  // The canvas: an observer watching the live event stream.
  const canvas = await connect(
    server.port,
    (await engine.tokens.create({ role: 'observer' })).token,
  );
  let events = 0;
  canvas.ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as { type: string; events?: unknown[] };
    if (f.type === 'events') events += f.events?.length ?? 0;
  });
  canvas.ws.send(JSON.stringify({ type: 'subscribe' }));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const latencies: number[] = [];
  const accepted: string[] = [];
  let refused = 0;
  let failed = 0;
  const deadline = performance.now() + LOAD_SECONDS * 1000;
  await Promise.all(
    clients.map(async (c, ci) => {
      let seq = 0;
      while (performance.now() < deadline) {
        const id = `load-${ci}-${seq}`;
        const t0 = performance.now();
        const f = await c.call('bus.publish', {
          id,
          type: 'HEARTBEAT',
          sender: `client-${ci}`,
          content: { seq },
        });
        if (f.error?.code === 'RATE_LIMITED') {
          refused++;
          const wait = Number(f.error.details.retryAfterMs ?? 100);
          if (performance.now() + wait >= deadline) break;
          await sleep(wait); // then retry the same id: nothing dropped
          continue;
        }
        if (f.error) failed++;
        else {
          latencies.push(performance.now() - t0);
          accepted.push(id);
        }
        seq++;
      }
    }),
  );
  await sleep(300);
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  let lost = 0;
  for (const id of accepted) if (!(await engine.bus.get(id))) lost++;
  for (const c of [...clients, canvas]) c.ws.close();
  await server.close();
  latencies.sort((a, b) => a - b);
  return {
    clients: CLIENTS,
    seconds: LOAD_SECONDS,
    accepted: accepted.length,
    perClientPerMinute: +((accepted.length / CLIENTS / LOAD_SECONDS) * 60).toFixed(0),
    refusedThenRetried: refused,
    failed,
    messagesLost: lost,
    p50PublishMs: +percentile(latencies, 0.5).toFixed(2),
    p99PublishMs: +percentile(latencies, 0.99).toFixed(2),
    canvasEvents: events,
    rssBeforeMB: +(rssBefore / 2 ** 20).toFixed(1),
    rssAfterMB: +(rssAfter / 2 ** 20).toFixed(1),
  };
}

export async function benchSecurity(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-bench-security-'));
  try {
    const o = await overhead(dir);
    console.log(
      `\nSecurity overhead per call (bus.publish, ${IN_FLIGHT} in flight, µs per call: medians of ${ROUNDS} rounds of ${o.callsPerRound}; overheads: medians of the per-round ratios, wall / CPU)`,
    );
    console.log(
      table(
        [
          'bare engine',
          'checks, no audit',
          'secured (ws)',
          'secured + auth (http)',
          'checks overhead',
          'overhead',
          'overhead + auth',
          'API layer',
        ],
        [
          [
            `${o.bareUsPerCall}`,
            `${o.checksUsPerCall}`,
            `${o.securedUsPerCall}`,
            `${o.securedWithAuthUsPerCall}`,
            `${o.checksOverheadPercent} / ${o.checksCpuOverheadPercent} %`,
            `${o.overheadPercent} / ${o.cpuOverheadPercent} %`,
            `${o.overheadWithAuthPercent} %`,
            `${o.apiLayerUsPerCall} µs`,
          ],
        ],
      ),
    );
    const e = await endToEnd(dir);
    console.log(
      `\nEnd to end over WebSocket (${e.inFlight} in flight, ${e.pairs} alternating pairs of ${e.callsPerBatch} publishes, medians)`,
    );
    console.log(
      table(
        ['path', 'µs per call', 'CPU µs per call', 'p50 ms', 'p99 ms'],
        [
          [
            'bare WebSocket → bus.publish',
            `${e.bareUsPerCall}`,
            `${e.bareCpuUsPerCall}`,
            `${e.bareP50Ms}`,
            `${e.bareP99Ms}`,
          ],
          [
            'server with security',
            `${e.securedUsPerCall}`,
            `${e.securedCpuUsPerCall}`,
            `${e.securedP50Ms}`,
            `${e.securedP99Ms}`,
          ],
        ],
      ),
    );
    console.log(
      `overhead: ${e.overheadPercent} % wall (middle half of pairs ${e.overheadPercentIqr.join('…')} %), ${e.cpuOverheadPercent} % CPU`,
    );
    const engine2 = await createEngine({
      databasePath: join(dir, 'load.db'),
      bus: { maxQueueSize: 5_000_000 },
    });
    let l: Awaited<ReturnType<typeof load>>;
    try {
      l = await load(engine2, join(dir, 'load.db'));
    } finally {
      await engine2.close();
    }
    console.log(`\nLoad: ${l.clients} WebSocket clients at their limit for ${l.seconds} s`);
    console.log(
      table(
        [
          'accepted',
          '/client/min',
          'refused→retried',
          'lost',
          'p50 ms',
          'p99 ms',
          'canvas events',
          'RSS MB before→after',
        ],
        [
          [
            `${l.accepted}`,
            `${l.perClientPerMinute}`,
            `${l.refusedThenRetried}`,
            `${l.messagesLost}`,
            `${l.p50PublishMs}`,
            `${l.p99PublishMs}`,
            `${l.canvasEvents}`,
            `${l.rssBeforeMB}→${l.rssAfterMB}`,
          ],
        ],
      ),
    );
    return { overhead: o, endToEnd: e, load: l };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchSecurity();
  console.log(JSON.stringify(figures, null, 2));
}
