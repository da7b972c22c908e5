/**
 * Per-edge message flow, aggregated outside React. Events go into a plain mutable buffer
 * (`record`, `fail`); `flush` runs once per animation frame and returns a new state object in
 * which only the touched edges are new objects — so each edge re-renders at most once a frame.
 * Packets are sampled: at most one per edge per frame (plus one failed), `maxPacketsPerSecond`
 * per edge and `maxPacketsPerSecondTotal` over all edges (so a busy large workflow animates a
 * bounded number of packets); counts are never sampled. Count and rate label refreshes are
 * spread over frames (`maxUpdatesPerFrame`), so a thousand busy edges never re-render together.
 */

export interface Packet {
  id: number;
  reverse: boolean;
  failed: boolean;
  /** When it started (ms, the clock given to record). */
  at: number;
}

export interface EdgeFlow {
  count: number;
  failed: number;
  /** Messages per second over the last complete window. */
  rate: number;
  packets: readonly Packet[];
  lastError: string | null;
}

export type FlowState = Readonly<Record<string, EdgeFlow>>;

export interface FlowOptions {
  maxPacketsPerSecond?: number;
  /** Packets started per second over every edge together (failures always show). */
  maxPacketsPerSecondTotal?: number;
  /**
   * An edge's count label is refreshed at most this often (ms; 0 = every frame). Counts held back
   * stay pending and are published later — delayed, never dropped. A packet or failure shows at once.
   */
  countIntervalMs?: number;
  /**
   * Edges whose count or rate label may refresh in one flush; the rest wait for a later frame
   * (packets, failures and expiring packets do not count against it).
   */
  maxUpdatesPerFrame?: number;
  /** How long a packet takes to travel its edge. */
  packetMs?: number;
  /** The window over which rates are measured. */
  windowMs?: number;
}

interface Pending {
  count: number;
  failed: number;
  packets: Packet[];
  error: string | null;
}

interface Window {
  start: number;
  count: number;
  spawned: number;
  rate: number;
}

export const EMPTY_FLOW: EdgeFlow = { count: 0, failed: 0, rate: 0, packets: [], lastError: null };

export class FlowBuffer {
  readonly maxPacketsPerSecond: number;
  readonly maxPacketsPerSecondTotal: number;
  readonly countIntervalMs: number;
  readonly maxUpdatesPerFrame: number;
  readonly packetMs: number;
  readonly windowMs: number;
  private shownAt = new Map<string, number>();
  private pending = new Map<string, Pending>();
  private windows = new Map<string, Window>();
  private nextId = 1;
  /** The packet budget shared by all edges, over the same window as the per-edge one. */
  private total = { start: -Infinity, spawned: 0 };
  /** Pending edges with a packet or failure to show (published whatever the budget). */
  private urgent = new Set<string>();
  /** Edges whose shown state has packets in flight. */
  private withPackets = new Set<string>();
  /** Edges whose rate may still change (counted in the current window or shown above 0). */
  private rated = new Set<string>();
  private lastChanged: string[] = [];
  /** Scratch for flush: the edges it has visited. */
  private readonly seen = new Set<string>();

  constructor(options: FlowOptions = {}) {
    this.maxPacketsPerSecond = options.maxPacketsPerSecond ?? 8;
    this.maxPacketsPerSecondTotal = options.maxPacketsPerSecondTotal ?? 120;
    this.countIntervalMs = options.countIntervalMs ?? 0;
    this.maxUpdatesPerFrame = options.maxUpdatesPerFrame ?? Infinity;
    this.packetMs = options.packetMs ?? 900;
    this.windowMs = options.windowMs ?? 1000;
  }

  /**
   * `count` messages travelled `edgeId` (reverse: against the edge's drawn direction). `live`:
   * they travel now, so they may draw a packet and count toward the rate; history replayed after
   * a reload or a restore only adds to the count.
   */
  record(edgeId: string, reverse: boolean, now: number, live = true, count = 1): void {
    this.add(edgeId, reverse, now, null, live, true, count);
  }

  /**
   * A message on `edgeId` failed or was dead-lettered; `counted` when the failure is itself a
   * message that travelled the edge (an ERROR report), so it adds to the count as well.
   */
  fail(
    edgeId: string,
    reason: string,
    now: number,
    reverse = false,
    live = true,
    counted = false,
    count = 1,
  ): void {
    this.add(edgeId, reverse, now, reason, live, counted, count);
  }

  private add(
    edgeId: string,
    reverse: boolean,
    now: number,
    error: string | null,
    live: boolean,
    counted: boolean,
    count: number,
  ): void {
    let p = this.pending.get(edgeId);
    if (!p) {
      p = { count: 0, failed: 0, packets: [], error: null };
      this.pending.set(edgeId, p);
    }
    const w = this.window(edgeId, now);
    this.rated.add(edgeId);
    if (counted) {
      p.count += count;
      if (live) w.count += count;
    }
    if (error !== null) {
      p.failed += count;
      p.error = error;
      this.urgent.add(edgeId);
    }
    // Sampling: one packet per edge per frame (a failure always shows, one per frame); otherwise
    // at most maxPacketsPerSecond per edge per window and maxPacketsPerSecondTotal over all edges.
    const failed = error !== null;
    if (p.packets.some((k) => k.failed === failed)) return;
    const cap = (this.maxPacketsPerSecond * this.windowMs) / 1000;
    const total = this.total;
    if (now - total.start >= this.windowMs) {
      total.start = now;
      total.spawned = 0;
    }
    const totalCap = (this.maxPacketsPerSecondTotal * this.windowMs) / 1000;
    if (live && (failed || (w.spawned < cap && total.spawned < totalCap))) {
      w.spawned++;
      total.spawned++;
      p.packets.push({ id: this.nextId++, reverse, failed, at: now });
      this.urgent.add(edgeId);
    }
  }

  private window(edgeId: string, now: number): Window {
    let w = this.windows.get(edgeId);
    if (!w) {
      w = { start: now, count: 0, spawned: 0, rate: 0 };
      this.windows.set(edgeId, w);
    } else this.roll(w, now);
    return w;
  }

  private roll(w: Window, now: number): void {
    const elapsed = now - w.start;
    if (elapsed < this.windowMs) return;
    w.rate = Math.round((w.count * 1000) / elapsed);
    w.start = now;
    w.count = 0;
    w.spawned = 0;
  }

  /** True while a flush could still change something (pending events, live packets, rates). */
  busy(): boolean {
    return this.pending.size > 0 || this.withPackets.size > 0 || this.rated.size > 0;
  }

  /** The edges the last flush replaced (the others kept their objects). */
  get changed(): readonly string[] {
    return this.lastChanged;
  }

  /**
   * The edges with packets in flight (in the state the last flush returned), for drawing them
   * without walking every edge.
   */
  get moving(): ReadonlySet<string> {
    return this.withPackets;
  }

  /**
   * Applies everything buffered since the last flush; returns `state` itself if nothing changed.
   * `updates`: how many count and rate refreshes it may publish (a flush covering several
   * frames may publish several frames' worth).
   * Visits only edges that may change — packets to expire, events pending, rates to roll — not
   * every edge: on a large workflow walking them all each frame cost milliseconds.
   */
  flush(state: FlowState, now: number, updates = this.maxUpdatesPerFrame): FlowState {
    let next: Record<string, EdgeFlow> | null = null;
    let budget = updates;
    const seen = this.seen;
    seen.clear();
    this.lastChanged = [];
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const prev = state[id] ?? EMPTY_FLOW;
      const p = this.pending.get(id);
      const w = this.windows.get(id);
      if (w) this.roll(w, now);
      const rate = w?.rate ?? 0;
      // Nothing counted and a rate of 0 once shown: its rate has nothing left to change.
      const settled = !p && rate === 0 && (w?.count ?? 0) === 0;
      if (settled && prev.rate === 0) this.rated.delete(id);
      const live =
        prev.packets.length === 0
          ? prev.packets
          : prev.packets.filter((k) => now - k.at < this.packetMs);
      const urgent =
        live.length !== prev.packets.length ||
        (p !== undefined && (p.packets.length > 0 || p.error !== null));
      if (!urgent) {
        const countDue =
          p !== undefined && now - (this.shownAt.get(id) ?? -Infinity) >= this.countIntervalMs;
        // Held counts and rates are published by a later flush: delayed, never dropped.
        if ((!countDue && rate === prev.rate) || budget <= 0) return;
        budget--;
      }
      if (p) {
        this.pending.delete(id);
        this.urgent.delete(id);
        this.shownAt.set(id, now);
      }
      const flow: EdgeFlow = {
        count: prev.count + (p?.count ?? 0),
        failed: prev.failed + (p?.failed ?? 0),
        rate,
        packets: p ? [...live, ...p.packets] : live,
        lastError: p?.error ?? prev.lastError,
      };
      next ??= { ...state };
      next[id] = flow;
      this.lastChanged.push(id);
      if (flow.packets.length > 0) this.withPackets.add(id);
      else this.withPackets.delete(id);
      if (settled) this.rated.delete(id);
    };
    // Packets and failures first (never held back), then held counts oldest first (pending keeps
    // insertion order; a published edge leaves it) while the budget lasts, then rates.
    for (const id of this.withPackets) visit(id);
    for (const id of this.urgent) visit(id);
    for (const id of this.pending.keys()) {
      if (budget <= 0) break;
      visit(id);
    }
    for (const id of this.rated) {
      if (budget <= 0) break;
      visit(id);
    }
    return next ?? state;
  }

  reset(): void {
    this.pending.clear();
    this.urgent.clear();
    this.withPackets.clear();
    this.rated.clear();
    this.lastChanged = [];
    this.windows.clear();
    this.shownAt.clear();
    this.total = { start: -Infinity, spawned: 0 };
  }
}
