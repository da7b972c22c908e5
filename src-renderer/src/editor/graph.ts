/** The React Flow view of a workflow definition: nodes and edges derived from the document. */
import type { Edge, Node } from '@xyflow/react';
import type { WorkflowDefinition, WorkflowSession } from '../../../src-shared/workflow';

export type SessionNodeData = { session: WorkflowSession };
export type SessionNode = Node<SessionNodeData, 'session'>;
export type FlowEdgeData = { types?: string[] };
export type FlowEdge = Edge<FlowEdgeData, 'packet'>;

/** Nodes for `doc`, keeping selection and measurements from `prev` so nothing flickers. */
export function toNodes(doc: WorkflowDefinition, prev: readonly SessionNode[] = []): SessionNode[] {
  const old = new Map(prev.map((n) => [n.id, n]));
  return doc.sessions.map((session) => {
    const before = old.get(session.id);
    if (
      before &&
      before.data.session === session &&
      before.position.x === session.position.x &&
      before.position.y === session.position.y
    ) {
      return before;
    }
    const node: SessionNode = {
      id: session.id,
      type: 'session',
      position: { ...session.position },
      data: { session },
      ariaLabel: session.name,
    };
    if (before?.selected) node.selected = true;
    if (before?.measured) node.measured = before.measured;
    return node;
  });
}

export function toEdges(doc: WorkflowDefinition, prev: readonly FlowEdge[] = []): FlowEdge[] {
  const old = new Map(prev.map((e) => [e.id, e]));
  const names = new Map(doc.sessions.map((s) => [s.id, s.name]));
  return doc.edges.map((e) => {
    const before = old.get(e.id);
    const data: FlowEdgeData = e.types ? { types: e.types } : {};
    const ariaLabel = `Edge from ${names.get(e.from) ?? e.from} to ${names.get(e.to) ?? e.to}`;
    if (
      before &&
      before.source === e.from &&
      before.target === e.to &&
      before.ariaLabel === ariaLabel &&
      sameTypes(before, e.types)
    ) {
      return before;
    }
    const edge: FlowEdge = {
      id: e.id,
      type: 'packet',
      source: e.from,
      target: e.to,
      data,
      ariaLabel,
    };
    if (before?.selected) edge.selected = true;
    return edge;
  });
}

function sameTypes(edge: FlowEdge, types: readonly string[] | undefined): boolean {
  const a = edge.data?.types;
  if (!a || !types) return a === types || (!a && !types);
  return a.length === types.length && a.every((t, i) => t === types[i]);
}

export function emptyWorkflow(name: string): WorkflowDefinition {
  return { name, sessions: [], edges: [] };
}
