/** Live run state for the canvas, log and inspector; written only by the live controller. */
import { useCallback, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { create } from 'zustand';
import type { MessageType, SessionStatus } from '../../../src-shared/domain';
import type { Run } from '../../../src-shared/workflow';
import type { FlowState } from '../live/flow';

export type LogState = 'published' | 'delivered' | 'acknowledged' | 'failed' | 'dead';

export interface LogEntry {
  id: string;
  at: number;
  type: MessageType;
  /** Workflow session ids where known, else the engine's id/name. */
  sender: string;
  receiver: string | null;
  runId: string | null;
  state: LogState;
  reason: string | null;
}

export interface NodeLive {
  status: SessionStatus;
  error: string | null;
  /** Messages this session sent / received in the current view. */
  sent: number;
  received: number;
}

export interface RunnerLog {
  at: number;
  /** The workflow's session (canvas node). */
  sessionId: string;
  /** The engine's session: the node in one run. */
  engineId: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
}

/** A node's log lines in one run (its engine session), or in every run when none is known. */
export function logsOf(
  logs: readonly RunnerLog[],
  sessionId: string,
  engineId: string | undefined,
): RunnerLog[] {
  return logs.filter(
    (l) => l.sessionId === sessionId && (engineId === undefined || l.engineId === engineId),
  );
}

export interface LiveState {
  flows: FlowState;
  nodes: Readonly<Record<string, NodeLive>>;
  log: readonly LogEntry[];
  logs: readonly RunnerLog[];
  runs: readonly Run[];
  activeRunId: string | null;
  connected: boolean;
}

export const useLive = create<LiveState>(() => ({
  flows: {},
  nodes: {},
  log: [],
  logs: [],
  runs: [],
  activeRunId: null,
  connected: false,
}));

export const LOG_LIMIT = 500;

type Keyed = 'flows' | 'nodes';
type Entry<F extends Keyed> = LiveState[F][string] | undefined;

/** Per entry of `flows` and `nodes`: the components watching it (see useLiveEntry). */
const watchers: Record<Keyed, Map<string, Set<() => void>>> = {
  flows: new Map(),
  nodes: new Map(),
};

/** The entries the publish under way replaced (see publishLive); null: compare them all. */
let replaced: Partial<Record<Keyed, Iterable<string>>> | null = null;

useLive.subscribe((state, prev) => {
  for (const field of ['flows', 'nodes'] as const) {
    const next = state[field];
    const old = prev[field];
    if (next === old) continue;
    const ids = replaced?.[field];
    if (ids) {
      for (const id of ids) for (const notify of watchers[field].get(id) ?? []) notify();
      continue;
    }
    for (const [id, set] of watchers[field]) {
      if (next[id] !== old[id]) for (const notify of set) notify();
    }
  }
});

/**
 * Publishes `patch`, saying which entries of `flows` and `nodes` it replaced, so only their
 * watchers are told without comparing every entry (thousands, every frame, on a large canvas).
 */
export function publishLive(
  patch: Partial<LiveState>,
  changed: Partial<Record<Keyed, Iterable<string>>>,
): void {
  replaced = changed;
  try {
    useLive.setState(patch);
  } finally {
    replaced = null;
  }
}

/**
 * One edge's or node's live entry, through `select` (which must return the entry itself, a part
 * of it or a primitive — not a new object). Unlike a `useLive` selector, which every mounted
 * component re-runs on every publish (thousands a frame on a large canvas), only the
 * components whose own entry changed are checked.
 */
export function useLiveEntry<F extends Keyed, T>(
  field: F,
  id: string,
  select: (entry: Entry<F>) => T,
): T {
  const subscribe = useCallback((notify: () => void) => watch(field, id, notify), [field, id]);
  const snapshot = () => select(useLive.getState()[field][id] as Entry<F>);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

function watch(field: Keyed, id: string, notify: () => void): () => void {
  const byId = watchers[field];
  let set = byId.get(id);
  if (!set) byId.set(id, (set = new Set()));
  set.add(notify);
  return () => {
    set.delete(notify);
    if (set.size === 0) byId.delete(id);
  };
}

/**
 * Sets `el`'s text through its one text node, updated in place (cheaper than replacing it
 * through textContent); for the `paint` functions of useLivePaint.
 */
export function paintText(el: Element, value: string): void {
  const t = el.firstChild as Text | null;
  if (!t) el.append(value);
  else if (t.data !== value) t.data = value;
}

/**
 * A ref callback for an element whose content `paint` writes from one edge's or node's live
 * entry, outside React: painted as the element mounts and whenever the entry changes. For text
 * that changes many times a second (counts, rates): a count change then costs no render — React
 * walking a canvas' thousands of memoised nodes and edges to reach the few that changed cost
 * more than the changes. `paint` must be stable (a module function or useCallback).
 */
export function useLivePaint<F extends Keyed, E extends Element>(
  field: F,
  id: string,
  paint: (el: E | null, entry: Entry<F>) => void,
): (el: E | null) => void {
  const el = useRef<E | null>(null);
  useLayoutEffect(() => {
    const run = () => paint(el.current, useLive.getState()[field][id] as Entry<F>);
    run();
    return watch(field, id, run);
  }, [field, id, paint]);
  // Painted as it mounts too: the element may appear a render later than the effect ran.
  return useCallback(
    (node: E | null) => {
      el.current = node;
      paint(node, useLive.getState()[field][id] as Entry<F>);
    },
    [field, id, paint],
  );
}
