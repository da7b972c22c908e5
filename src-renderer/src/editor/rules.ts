/** Which edges and sessions a workflow may hold: the canvas refuses the rest with a reason. */
import { allowedTypes, type MessageType, type SessionType } from '../../../src-shared/domain';
import type { WorkflowDefinition } from '../../../src-shared/workflow';

export type Verdict = { ok: true } | { ok: false; reason: string };

const ok: Verdict = { ok: true };
const no = (reason: string): Verdict => ({ ok: false, reason });

/** May an edge from session `from` to session `to` be added to `doc`? */
export function canConnect(doc: WorkflowDefinition, from: string, to: string): Verdict {
  const source = doc.sessions.find((s) => s.id === from);
  const target = doc.sessions.find((s) => s.id === to);
  if (!source || !target) return no('Both ends must be sessions on this canvas.');
  if (from === to) return no('A session cannot connect to itself.');
  if (target.type === 'observer')
    return no('Observers only watch: nothing can send to an observer.');
  if (source.type === 'observer') return no('Observers are read-only: they cannot send messages.');
  if (source.type === 'department' && target.type === 'department') {
    return no('Departments report to a director, not to each other.');
  }
  if (source.type === 'director' && target.type === 'director') {
    return no('A director cannot direct another director.');
  }
  if (doc.edges.some((e) => (e.from === from && e.to === to) || (e.from === to && e.to === from))) {
    return no(`${source.name} and ${target.name} are already connected.`);
  }
  if (source.type === 'director' && target.type === 'department') {
    const other = doc.edges.find(
      (e) => e.to === to && doc.sessions.find((s) => s.id === e.from)?.type === 'director',
    );
    if (other) {
      const name = doc.sessions.find((s) => s.id === other.from)?.name ?? other.from;
      return no(
        `${target.name} already has a director (${name}); a second director is not allowed.`,
      );
    }
  }
  if (allowedTypes(source.type, target.type).length === 0) {
    return no(`A ${source.type} cannot send messages to a ${target.type}.`);
  }
  return ok;
}

/** May a session of `type` be added? A workflow has at most one director and 100 sessions. */
export function canAddSession(doc: WorkflowDefinition, type: SessionType): Verdict {
  if (doc.sessions.length >= 100) return no('A workflow holds at most 100 sessions.');
  if (type === 'director' && doc.sessions.some((s) => s.type === 'director')) {
    return no('This workflow already has a director; a second director is not allowed.');
  }
  return ok;
}

/** The message types the rules allow on an edge between these session types (both directions). */
export function edgeTypeChoices(from: SessionType, to: SessionType): readonly MessageType[] {
  const both = new Set<MessageType>([...allowedTypes(from, to), ...allowedTypes(to, from)]);
  return [...both];
}
