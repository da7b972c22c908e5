/**
 * Editing commands: pure functions from a workflow definition to the next one. The canvas calls
 * these; the store records each result in the undo history and saves it to the engine.
 */
import type { SessionType } from '../../../src-shared/domain';
import type {
  RunnerConfig,
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowSession,
} from '../../../src-shared/workflow';

type Position = { x: number; y: number };

const LABELS: Record<SessionType, string> = {
  director: 'Director',
  department: 'Department',
  observer: 'Observer',
};

/** A fresh id not used in `taken`, shaped `prefix-N`. */
export function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) {
    const id = `${prefix}-${n}`;
    if (!used.has(id)) return id;
  }
}

/** A fresh name: "Director", then "Department 1", "Department 2"… (unique in the workflow). */
export function freshName(base: string, taken: Iterable<string>, numbered = true): string {
  const used = new Set(taken);
  if (!numbered && !used.has(base)) return base;
  for (let n = 1; ; n++) {
    const name = `${base} ${n}`;
    if (!used.has(name)) return name;
  }
}

export function defaultRunner(type: SessionType): RunnerConfig | undefined {
  if (type === 'director') return { kind: 'fan-out' };
  if (type === 'department') {
    return {
      kind: 'script',
      source:
        'async function handle(message, ctx) {\n  ctx.log(`working on ${JSON.stringify(message.content)}`);\n  return { done: true, by: ctx.session.name };\n}',
    };
  }
  return undefined;
}

export function addSession(
  doc: WorkflowDefinition,
  type: SessionType,
  position: Position,
): { doc: WorkflowDefinition; session: WorkflowSession } {
  const session: WorkflowSession = {
    id: freshId(
      type,
      doc.sessions.map((s) => s.id),
    ),
    type,
    name: freshName(
      LABELS[type],
      doc.sessions.map((s) => s.name),
      type !== 'director',
    ),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
  const runner = defaultRunner(type);
  if (runner) session.runner = runner;
  return { doc: { ...doc, sessions: [...doc.sessions, session] }, session };
}

export function addEdge(doc: WorkflowDefinition, from: string, to: string): WorkflowDefinition {
  const edge: WorkflowEdge = {
    id: freshId(
      'edge',
      doc.edges.map((e) => e.id),
    ),
    from,
    to,
  };
  return { ...doc, edges: [...doc.edges, edge] };
}

/** Removes sessions (and every edge touching them) and edges by id. */
export function removeItems(
  doc: WorkflowDefinition,
  sessionIds: readonly string[],
  edgeIds: readonly string[],
): WorkflowDefinition {
  if (sessionIds.length === 0 && edgeIds.length === 0) return doc;
  const gone = new Set(sessionIds);
  const goneEdges = new Set(edgeIds);
  return {
    ...doc,
    sessions: doc.sessions.filter((s) => !gone.has(s.id)),
    edges: doc.edges.filter((e) => !goneEdges.has(e.id) && !gone.has(e.from) && !gone.has(e.to)),
  };
}

export function moveSessions(
  doc: WorkflowDefinition,
  positions: ReadonlyMap<string, Position>,
): WorkflowDefinition {
  let changed = false;
  const sessions = doc.sessions.map((s) => {
    const p = positions.get(s.id);
    if (!p) return s;
    const x = Math.round(p.x);
    const y = Math.round(p.y);
    if (x === s.position.x && y === s.position.y) return s;
    changed = true;
    return { ...s, position: { x, y } };
  });
  return changed ? { ...doc, sessions } : doc;
}

export function updateSession(
  doc: WorkflowDefinition,
  id: string,
  patch: Partial<Omit<WorkflowSession, 'id' | 'type'>>,
): WorkflowDefinition {
  return {
    ...doc,
    sessions: doc.sessions.map((s) => {
      if (s.id !== id) return s;
      const next: WorkflowSession = { ...s, ...patch };
      for (const key of Object.keys(patch) as (keyof typeof patch)[]) {
        if (patch[key] === undefined) delete next[key];
      }
      return next;
    }),
  };
}

export function updateEdge(
  doc: WorkflowDefinition,
  id: string,
  patch: Partial<Omit<WorkflowEdge, 'id'>>,
): WorkflowDefinition {
  return {
    ...doc,
    edges: doc.edges.map((e) => {
      if (e.id !== id) return e;
      const next: WorkflowEdge = { ...e, ...patch };
      if (patch.types === undefined && 'types' in patch) delete next.types;
      return next;
    }),
  };
}
