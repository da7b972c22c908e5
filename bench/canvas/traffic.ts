/**
 * Server-side message flow at a target rate, along a workflow's edges (round robin over the
 * edges; every other pass travels them backwards). Two sources:
 *  - `bus`: engine.runs.send inside a live run — each message is validated against the edge,
 *    stored, delivered, acknowledged; the stream carries published/delivered/acknowledged.
 *  - `stream`: the same three stream events per message pushed into engine.stream (group commit
 *    to SQLite, then the WebSocket bridge), without the bus's storage and delivery — for rates the
 *    bus cannot reach on this machine, and for a workflow no run can start (see canvas.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Engine } from '../../src-main/engine';
import type { WorkflowDefinition } from '../../src-shared/workflow';

export type Source = 'bus' | 'stream';

export interface Route {
  edgeId: string;
  from: string;
  to: string;
}

export interface TrafficResult {
  /** Messages published (bus: runs.send resolved; stream: published events pushed). */
  sent: number;
  /** bus only: runs.send that threw. */
  failed: number;
  /** bus only: messages not sent because MAX_IN_FLIGHT sends were pending (the bus is saturated). */
  skipped: number;
  ms: number;
  firstError: string | null;
}

/** Bus sends pending at once before the generator holds back (the rest count as skipped). */
const MAX_IN_FLIGHT = 2_000;
const TICK_MS = 10;

export function routesOf(def: WorkflowDefinition): Route[] {
  return def.edges.map((e) => ({ edgeId: e.id, from: e.from, to: e.to }));
}

export interface Flow {
  source: Source;
  engine: Engine;
  runId: string;
  /** Workflow session id → engine session id (the run's map). */
  sessions: Record<string, string>;
  routes: Route[];
  /** Per edge id: messages sent so far (accumulates across calls). */
  perEdge: Map<string, number>;
}

let next = 0;

/** Sends `rate` messages a second for `ms`; resolves once every send settled. */
export async function flow(f: Flow, rate: number, ms: number): Promise<TrafficResult> {
  const result: TrafficResult = { sent: 0, failed: 0, skipped: 0, ms: 0, firstError: null };
  const pending = new Set<Promise<unknown>>();
  let issued = 0;
  const t0 = performance.now();
  const one = (): [Route, boolean] => {
    const k = next++;
    const route = f.routes[k % f.routes.length]!;
    return [route, Math.floor(k / f.routes.length) % 2 === 1];
  };
  const count = (edgeId: string) => f.perEdge.set(edgeId, (f.perEdge.get(edgeId) ?? 0) + 1);

  const tick = () => {
    const elapsed = performance.now() - t0;
    // A late tick catches up at most 100 ms worth (no bursts after a stall).
    let due = Math.min(Math.floor((rate * Math.min(elapsed, ms)) / 1000) - issued, rate / 10);
    issued += Math.max(due, 0);
    if (f.source === 'stream') {
      const ids: string[] = [];
      for (; due > 0; due--) {
        const [route, reverse] = one();
        const from = f.sessions[reverse ? route.to : route.from]!;
        const to = f.sessions[reverse ? route.from : route.to]!;
        const id = `bench-${next}`;
        ids.push(id);
        f.engine.stream.push({
          kind: 'message.published',
          message: {
            id,
            type: 'HEARTBEAT',
            priority: 2,
            sender: from,
            receiver: to,
            receiverId: to,
            runId: f.runId,
          },
        });
        count(route.edgeId);
        result.sent++;
      }
      for (const id of ids) f.engine.stream.push({ kind: 'message.delivered', id, runId: f.runId });
      for (const id of ids) {
        f.engine.stream.push({ kind: 'message.acknowledged', id, runId: f.runId });
      }
      return;
    }
    for (; due > 0; due--) {
      if (pending.size >= MAX_IN_FLIGHT) {
        result.skipped++;
        continue;
      }
      const [route, reverse] = one();
      const p = f.engine.runs
        .send(f.runId, {
          from: reverse ? route.to : route.from,
          to: reverse ? route.from : route.to,
          type: 'HEARTBEAT',
        })
        .then(
          () => {
            count(route.edgeId);
            result.sent++;
          },
          (error: unknown) => {
            result.failed++;
            result.firstError ??= error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    }
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      tick();
      if (performance.now() - t0 >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  result.ms = performance.now() - t0;
  await Promise.all(pending);
  return result;
}
