/**
 * The canvas editor's state: the workflow document with its undo history, the React Flow view of
 * it, and the save loop (debounced workflows.update). Components select narrow slices.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { create } from 'zustand';
import type { SessionType } from '../../../src-shared/domain';
import type { Workflow, WorkflowDefinition } from '../../../src-shared/workflow';
import { api, errorText } from '../api';
import { copy, paste, type Clip } from '../editor/clipboard';
import * as cmd from '../editor/commands';
import { toEdges, toNodes, type FlowEdge, type SessionNode } from '../editor/graph';
import {
  canRedo,
  canUndo,
  createHistory,
  record,
  redo,
  undo,
  type History,
} from '../editor/history';
import { canAddSession, canConnect } from '../editor/rules';

type Viewport = { x: number; y: number; zoom: number };
export type SaveState = 'saved' | 'saving' | 'unsaved' | 'error';

export interface EditorState {
  workflowId: string | null;
  history: History<WorkflowDefinition>;
  nodes: SessionNode[];
  edges: FlowEdge[];
  viewport: Viewport | null;
  clip: Clip | null;
  pastes: number;
  /** A visible reason for the last refused edit (or other short notice). */
  notice: string | null;
  /**
   * 'problem': something was refused or failed (an alert); 'news': progress, or what just
   * happened (a status).
   */
  noticeTone: NoticeTone;
  save: SaveState;
  saveError: string | null;
}

export type NoticeTone = 'problem' | 'news';

const blank: WorkflowDefinition = { name: '', sessions: [], edges: [] };

export const useEditor = create<EditorState>(() => ({
  workflowId: null,
  history: createHistory(blank),
  nodes: [],
  edges: [],
  viewport: null,
  clip: null,
  pastes: 0,
  notice: null,
  noticeTone: 'problem',
  save: 'saved',
  saveError: null,
}));

const get = useEditor.getState;
const set = useEditor.setState;

export const docOf = (s: EditorState): WorkflowDefinition => s.history.present;
export const selectCanUndo = (s: EditorState) => canUndo(s.history);
export const selectCanRedo = (s: EditorState) => canRedo(s.history);

/** Opens a workflow: fresh history, fresh view. */
export function openWorkflow(workflow: Workflow | null): void {
  flushSave();
  const doc = workflow?.definition ?? blank;
  set({
    workflowId: workflow?.id ?? null,
    history: createHistory(doc),
    nodes: toNodes(doc),
    edges: toEdges(doc),
    viewport: doc.viewport ?? null,
    notice: null,
    save: 'saved',
    saveError: null,
    pastes: 0,
  });
}

function show(doc: WorkflowDefinition, history: History<WorkflowDefinition>): void {
  const s = get();
  set({ history, nodes: toNodes(doc, s.nodes), edges: toEdges(doc, s.edges) });
  scheduleSave();
}

/** Records `next` as an undoable edit. */
export function commit(next: WorkflowDefinition): void {
  const s = get();
  if (next === s.history.present) return;
  show(next, record(s.history, next));
}

export function undoEdit(): void {
  const h = undo(get().history);
  if (h !== get().history) show(h.present, h);
}

export function redoEdit(): void {
  const h = redo(get().history);
  if (h !== get().history) show(h.present, h);
}

export function setNotice(notice: string | null, noticeTone: NoticeTone = 'problem'): void {
  set({ notice, noticeTone });
}

export function addSessionAt(type: SessionType, position: { x: number; y: number }): string | null {
  const doc = docOf(get());
  const verdict = canAddSession(doc, type);
  if (!verdict.ok) {
    setNotice(verdict.reason);
    return null;
  }
  const { doc: next, session } = cmd.addSession(doc, type, position);
  commit(next);
  selectOnly([session.id]);
  setNotice(null);
  return session.id;
}

export function connect(from: string, to: string): boolean {
  const doc = docOf(get());
  const verdict = canConnect(doc, from, to);
  if (!verdict.ok) {
    setNotice(`Cannot connect: ${verdict.reason}`);
    return false;
  }
  commit(cmd.addEdge(doc, from, to));
  setNotice(null);
  return true;
}

export function deleteItems(sessionIds: readonly string[], edgeIds: readonly string[]): void {
  commit(cmd.removeItems(docOf(get()), sessionIds, edgeIds));
}

export function deleteSelection(): void {
  const s = get();
  deleteItems(
    s.nodes.filter((n) => n.selected).map((n) => n.id),
    s.edges.filter((e) => e.selected).map((e) => e.id),
  );
}

export function moveTo(positions: ReadonlyMap<string, { x: number; y: number }>): void {
  commit(cmd.moveSessions(docOf(get()), positions));
}

export function onNodesChange(changes: NodeChange<SessionNode>[]): void {
  // Removal goes through deleteItems (one undoable step for nodes and their edges).
  const kept = changes.filter((c) => c.type !== 'remove');
  if (kept.length) set({ nodes: applyNodeChanges(kept, get().nodes) });
}

export function onEdgesChange(changes: EdgeChange<FlowEdge>[]): void {
  const kept = changes.filter((c) => c.type !== 'remove');
  if (kept.length) set({ edges: applyEdgeChanges(kept, get().edges) });
}

export function selectOnly(ids: readonly string[]): void {
  const want = new Set(ids);
  set((s) => ({
    nodes: s.nodes.map((n) =>
      !!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) },
    ),
    edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
  }));
}

/** Selects exactly these nodes and edges (e.g. the ones a file problem is about). */
export function selectItems(nodeIds: readonly string[], edgeIds: readonly string[]): void {
  const nodesWanted = new Set(nodeIds);
  const edgesWanted = new Set(edgeIds);
  set((s) => ({
    nodes: s.nodes.map((n) =>
      !!n.selected === nodesWanted.has(n.id) ? n : { ...n, selected: nodesWanted.has(n.id) },
    ),
    edges: s.edges.map((e) =>
      !!e.selected === edgesWanted.has(e.id) ? e : { ...e, selected: edgesWanted.has(e.id) },
    ),
  }));
}

/** Shows the workflow as the engine has it now (after a restore), without saving anything. */
export function reloadWorkflow(workflow: Workflow | null): void {
  if (timer) clearTimeout(timer);
  timer = null;
  set({ save: 'saved' });
  openWorkflow(workflow);
}

export function copySelection(): void {
  const s = get();
  const clip = copy(
    docOf(s),
    s.nodes.filter((n) => n.selected).map((n) => n.id),
  );
  if (clip) {
    set({
      clip,
      pastes: 0,
      notice: `Copied ${clip.sessions.length} session(s)`,
      noticeTone: 'news',
    });
  }
}

export function pasteClip(): void {
  const s = get();
  if (!s.clip) return;
  const result = paste(docOf(s), s.clip, s.pastes + 1);
  commit(result.doc);
  selectOnly(result.pasted);
  set({
    pastes: s.pastes + 1,
    notice: result.skipped.length ? `Not pasted: ${result.skipped.join('; ')}` : null,
    noticeTone: 'problem',
  });
}

export function setViewport(viewport: Viewport): void {
  set({ viewport });
  scheduleSave();
}

// --- saving -------------------------------------------------------------------------------
let timer: ReturnType<typeof setTimeout> | null = null;
let inFlight: Promise<void> = Promise.resolve();
export const SAVE_DELAY_MS = 400;

function scheduleSave(): void {
  if (!get().workflowId) return;
  set({ save: 'unsaved' });
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void flushSave(), SAVE_DELAY_MS);
}

/** Saves now if anything is pending; resolves when the engine has it. */
export function flushSave(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  const s = get();
  if (!s.workflowId || s.save === 'saved' || s.save === 'saving') return inFlight;
  const definition: WorkflowDefinition = { ...docOf(s) };
  if (s.viewport) definition.viewport = s.viewport;
  const id = s.workflowId;
  set({ save: 'saving' });
  inFlight = inFlight.then(() =>
    api()
      .call('workflows.update', { id, definition })
      .then(
        () => {
          if (get().save === 'saving') set({ save: 'saved', saveError: null });
        },
        (error: unknown) => set({ save: 'error', saveError: errorText(error) }),
      ),
  );
  return inFlight;
}
