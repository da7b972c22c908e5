/** Maps engine events (engine session ids) onto the canvas (workflow session and edge ids). */
import type { WorkflowDefinition } from '../../../src-shared/workflow';

/** Engine session id or name → workflow session id, built from runs' session maps. */
export class SessionIndex {
  private byEngine = new Map<string, string>();
  private runOfEngine = new Map<string, string>();
  private runs = new Set<string>();

  /** Adds a run's `sessions` map (workflow session id → engine session id). */
  addRun(runId: string, sessions: Record<string, string>): void {
    this.runs.add(runId);
    for (const [wf, engine] of Object.entries(sessions)) {
      this.byEngine.set(engine, wf);
      this.runOfEngine.set(engine, runId);
    }
  }

  hasRun(runId: string): boolean {
    return this.runs.has(runId);
  }

  add(engineId: string, workflowSessionId: string): void {
    this.byEngine.set(engineId, workflowSessionId);
  }

  toWorkflow(engineIdOrName: string | null | undefined): string | null {
    if (!engineIdOrName) return null;
    return this.byEngine.get(engineIdOrName) ?? null;
  }

  /** The run an engine session belongs to, when known. */
  runOf(engineId: string | null | undefined): string | null {
    return engineId ? (this.runOfEngine.get(engineId) ?? null) : null;
  }

  clear(): void {
    this.byEngine.clear();
    this.runOfEngine.clear();
    this.runs.clear();
  }
}

export interface EdgeHit {
  edgeId: string;
  /** True when the message travels from the edge's target to its source. */
  reverse: boolean;
}

const cache = new WeakMap<WorkflowDefinition, Map<string, EdgeHit>>();

/** "from\u0000to" → the edge and its direction, built once per document (events are hot). */
function edgeIndex(doc: WorkflowDefinition): Map<string, EdgeHit> {
  let index = cache.get(doc);
  if (!index) {
    index = new Map();
    for (const e of doc.edges) {
      index.set(`${e.from}\u0000${e.to}`, { edgeId: e.id, reverse: false });
      if (!index.has(`${e.to}\u0000${e.from}`)) {
        index.set(`${e.to}\u0000${e.from}`, { edgeId: e.id, reverse: true });
      }
    }
    cache.set(doc, index);
  }
  return index;
}

/** The edge a message between two workflow sessions travels, either way round. */
export function findEdge(
  doc: WorkflowDefinition,
  from: string | null,
  to: string | null,
): EdgeHit | null {
  if (!from || !to) return null;
  return edgeIndex(doc).get(`${from}\u0000${to}`) ?? null;
}
