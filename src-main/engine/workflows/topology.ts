/**
 * A validated workflow as a graph: who is joined to whom, and whether a message of a type may
 * travel between two sessions. Edges are drawn from → to but carry messages both ways (the
 * department answers its director along the edge the director was drawn to it with); an edge's
 * `types` list, when present, limits what travels on it in either direction.
 */
import { allowedTypes, type MessageType } from '../../../src-shared/domain';
import { AuthorizationError, ValidationError } from '../../../src-shared/errors';
import type {
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowSession,
} from '../../../src-shared/workflow';

export class Topology {
  readonly sessions = new Map<string, WorkflowSession>();
  private readonly edges = new Map<string, WorkflowEdge>();
  private readonly neighbours = new Map<string, string[]>();

  constructor(readonly definition: WorkflowDefinition) {
    for (const s of definition.sessions) {
      this.sessions.set(s.id, s);
      this.neighbours.set(s.id, []);
    }
    for (const e of definition.edges) {
      this.edges.set(key(e.from, e.to), e);
      this.neighbours.get(e.from)?.push(e.to);
      this.neighbours.get(e.to)?.push(e.from);
    }
  }

  get director(): WorkflowSession | undefined {
    return this.definition.sessions.find((s) => s.type === 'director');
  }

  /** Departments joined to `id` by an edge, in the order the workflow lists sessions. */
  departmentsOf(id: string): WorkflowSession[] {
    const joined = new Set(this.neighbours.get(id) ?? []);
    return this.definition.sessions.filter((s) => s.type === 'department' && joined.has(s.id));
  }

  /** A workflow session by id or name. */
  find(idOrName: string): WorkflowSession | undefined {
    return this.sessions.get(idOrName) ?? this.definition.sessions.find((s) => s.name === idOrName);
  }

  edgeBetween(a: string, b: string): WorkflowEdge | undefined {
    return this.edges.get(key(a, b));
  }

  /** Throws FORBIDDEN when no edge joins the two, INVALID_MESSAGE when the type may not travel it. */
  check(fromId: string, toId: string, type: MessageType): WorkflowEdge {
    const from = this.sessions.get(fromId)!;
    const to = this.sessions.get(toId)!;
    const edge = this.edgeBetween(fromId, toId);
    if (!edge) {
      throw new AuthorizationError(
        `No edge joins "${from.name}" and "${to.name}": messages travel only along the edges ` +
          `of the workflow. Draw an edge ${from.id} → ${to.id} to allow it.`,
        { details: { missingEdge: { from: from.id, to: to.id }, type } },
      );
    }
    const allowed = allowedTypes(from.type, to.type).filter(
      (t) => !edge.types || edge.types.includes(t),
    );
    if (!allowed.includes(type)) {
      throw new ValidationError(
        'INVALID_MESSAGE',
        `${type} may not travel from the ${from.type} "${from.name}" to the ${to.type} "${to.name}" ` +
          `on edge "${edge.id}"` +
          (allowed.length ? `; allowed there: ${allowed.join(', ')}.` : '; nothing may.'),
        'type',
        type,
        { details: { edge: edge.id, from: from.id, to: to.id, allowed } },
      );
    }
    return edge;
  }
}

function key(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
