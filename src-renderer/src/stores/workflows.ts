/** The workflow list and which one is open; every change goes through the engine. */
import { create } from 'zustand';
import type { Workflow, WorkflowDefinition } from '../../../src-shared/workflow';
import { api, errorText } from '../api';
import { emptyWorkflow } from '../editor/graph';
import { freshName } from '../editor/commands';
import { noteRun, replayHistory, resetLive } from '../live/controller';
import { commit, docOf, flushSave, openWorkflow, setNotice, useEditor } from './editor';

interface WorkflowsState {
  list: Workflow[];
  loaded: boolean;
  currentId: string | null;
  error: string | null;
}

export const useWorkflows = create<WorkflowsState>(() => ({
  list: [],
  loaded: false,
  currentId: null,
  error: null,
}));

const set = useWorkflows.setState;
const get = useWorkflows.getState;
const LAST_KEY = 'orchestration-studio.workflow';

export async function loadWorkflows(): Promise<void> {
  try {
    const list = await api().call('workflows.list', {});
    set({ list, loaded: true, error: null });
    const last = window.localStorage?.getItem(LAST_KEY);
    const pick = list.find((w) => w.id === last) ?? list[0];
    if (pick && !get().currentId) await selectWorkflow(pick.id);
  } catch (error) {
    set({ loaded: true, error: errorText(error) });
  }
}

/** Refreshes the list (names, new and removed workflows) without changing the open one. */
export async function loadWorkflowList(): Promise<void> {
  const list = await api().call('workflows.list', {});
  set({ list });
}

/** Counts selections: only the newest one goes on after each await. */
let selecting = 0;

export async function selectWorkflow(id: string | null): Promise<void> {
  const mine = ++selecting;
  await flushSave();
  const workflow = id ? await api().call('workflows.get', { id }) : null;
  if (mine !== selecting) return;
  set({ currentId: workflow?.id ?? null });
  if (workflow) window.localStorage?.setItem(LAST_KEY, workflow.id);
  resetLive(!!workflow);
  openWorkflow(workflow);
  if (workflow) {
    const runs = await api().call('runs.list', { workflowId: workflow.id, limit: 20 });
    if (mine !== selecting) return;
    for (const run of runs.reverse()) noteRun(run);
    await replayHistory();
  }
}

export async function createWorkflow(definition?: WorkflowDefinition): Promise<void> {
  try {
    const names = get().list.map((w) => w.definition.name);
    const def = definition ?? emptyWorkflow(freshName('Untitled workflow', names));
    if (names.includes(def.name)) def.name = freshName(def.name, names);
    const created = await api().call('workflows.create', { definition: def });
    set({ list: [...get().list, created] });
    await selectWorkflow(created.id);
  } catch (error) {
    setNotice(`Could not create the workflow: ${errorText(error)}`);
  }
}

export async function renameWorkflow(id: string, name: string): Promise<void> {
  if (get().currentId === id) {
    commit({ ...docOf(useEditor.getState()), name });
    set({
      list: get().list.map((w) =>
        w.id === id ? { ...w, definition: { ...w.definition, name } } : w,
      ),
    });
    return;
  }
  const workflow = await api().call('workflows.get', { id });
  if (!workflow) return;
  const definition = { ...workflow.definition, name };
  const saved = await api().call('workflows.update', { id, definition });
  set({ list: get().list.map((w) => (w.id === id ? saved : w)) });
}

export async function deleteWorkflow(id: string): Promise<void> {
  await api().call('workflows.delete', { id });
  const list = get().list.filter((w) => w.id !== id);
  set({ list });
  if (get().currentId === id) await selectWorkflow(list[0]?.id ?? null);
}
