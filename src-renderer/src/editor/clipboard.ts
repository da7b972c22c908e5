/** Copy/paste of sessions and the edges between them, with fresh ids, names and an offset. */
import type {
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowSession,
} from '../../../src-shared/workflow';
import { freshId, freshName } from './commands';

export interface Clip {
  sessions: WorkflowSession[];
  edges: WorkflowEdge[];
}

export const PASTE_OFFSET = 40;

/** The selected sessions and only the edges whose both ends are selected. */
export function copy(doc: WorkflowDefinition, sessionIds: readonly string[]): Clip | null {
  const ids = new Set(sessionIds);
  const sessions = doc.sessions.filter((s) => ids.has(s.id));
  if (sessions.length === 0) return null;
  const edges = doc.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  return structuredClone({ sessions, edges });
}

export interface PasteResult {
  doc: WorkflowDefinition;
  /** Ids of the pasted sessions (to select them). */
  pasted: string[];
  /** Why some items were left out (e.g. a second director). */
  skipped: string[];
}

export function paste(doc: WorkflowDefinition, clip: Clip, times = 1): PasteResult {
  const ids = doc.sessions.map((s) => s.id);
  const names = doc.sessions.map((s) => s.name);
  let hasDirector = doc.sessions.some((s) => s.type === 'director');
  const rename = new Map<string, string>();
  const sessions: WorkflowSession[] = [];
  const skipped: string[] = [];
  for (const s of clip.sessions) {
    if (s.type === 'director' && hasDirector) {
      skipped.push(`${s.name}: this workflow already has a director`);
      continue;
    }
    if (doc.sessions.length + sessions.length >= 100) {
      skipped.push(`${s.name}: a workflow holds at most 100 sessions`);
      continue;
    }
    if (s.type === 'director') hasDirector = true;
    const id = freshId(s.type, ids);
    const name = names.includes(s.name) ? copyName(s.name, names) : s.name;
    ids.push(id);
    names.push(name);
    rename.set(s.id, id);
    const offset = PASTE_OFFSET * times;
    sessions.push({
      ...structuredClone(s),
      id,
      name,
      position: { x: s.position.x + offset, y: s.position.y + offset },
    });
  }
  const edgeIds = doc.edges.map((e) => e.id);
  const edges: WorkflowEdge[] = [];
  for (const e of clip.edges) {
    const from = rename.get(e.from);
    const to = rename.get(e.to);
    if (!from || !to) continue;
    const id = freshId('edge', edgeIds);
    edgeIds.push(id);
    edges.push({ ...structuredClone(e), id, from, to });
  }
  return {
    doc: { ...doc, sessions: [...doc.sessions, ...sessions], edges: [...doc.edges, ...edges] },
    pasted: sessions.map((s) => s.id),
    skipped,
  };
}

/** "Department 2" → the next free "Department N"; "Research" → "Research copy 1". */
function copyName(name: string, taken: readonly string[]): string {
  const numbered = /^(.*\S) \d+$/.exec(name);
  return numbered ? freshName(numbered[1]!, taken) : freshName(`${name} copy`, taken);
}
