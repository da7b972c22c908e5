/** Directed cycles among drawn edges (from → to), found by depth-first search. */

export interface DirectedEdge {
  /** Index of the edge in the file's `edges` array. */
  index: number;
  from: string;
  to: string;
}

export interface Cycle {
  /** Session ids around the cycle, first repeated at the end. */
  sessions: string[];
  /** The edge whose traversal closed the cycle (a back edge). */
  closingEdge: number;
}

/** One cycle per back edge, in a deterministic order (edges in file order). */
export function findCycles(edges: readonly DirectedEdge[]): Cycle[] {
  const out = new Map<string, DirectedEdge[]>();
  for (const e of edges) {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from)!.push(e);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: Cycle[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const e of out.get(node) ?? []) {
      const s = state.get(e.to);
      if (s === 'open') {
        const start = stack.lastIndexOf(e.to);
        cycles.push({ sessions: [...stack.slice(start), e.to], closingEdge: e.index });
      } else if (s === undefined) visit(e.to);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const e of edges) if (!state.has(e.from)) visit(e.from);
  return cycles;
}
