/**
 * Checkpoints in the app: the timeline (named and automatic), Create checkpoint, Restore with a
 * confirmation that says what will change, compare two, fork one. After a restore the canvas,
 * inspector and log are rebuilt from the engine's restored state.
 */
import { create } from 'zustand';
import type {
  CheckpointComparison,
  CheckpointForkResult,
  CheckpointInfo,
  CheckpointRestoreResult,
  RestorePreview,
} from '../../../src-shared/contract';
import { api, errorText } from '../api';
import {
  noteRun,
  reconcileWithEngine,
  replayHistory,
  resetLive,
  type RestoredPoint,
} from '../live/controller';
import { flushSave, reloadWorkflow, setNotice } from './editor';
import { useLive } from './live';
import { setBottomTab } from './ui';
import { useWorkflows } from './workflows';

export interface RestoreQuestion {
  checkpoint: CheckpointInfo;
  preview: RestorePreview | null;
  error: string | null;
}

interface CheckpointsState {
  list: CheckpointInfo[];
  loaded: boolean;
  error: string | null;
  /** The create dialog is open. */
  creating: boolean;
  confirm: RestoreQuestion | null;
  restoring: boolean;
  lastRestore: (CheckpointRestoreResult & { name: string }) | null;
  /** Up to two checkpoints picked for Compare. */
  picked: string[];
  comparison: CheckpointComparison | null;
  fork: CheckpointForkResult | null;
}

export const useCheckpoints = create<CheckpointsState>(() => ({
  list: [],
  loaded: false,
  error: null,
  creating: false,
  confirm: null,
  restoring: false,
  lastRestore: null,
  picked: [],
  comparison: null,
  fork: null,
}));
const set = useCheckpoints.setState;
const get = useCheckpoints.getState;

export async function loadCheckpoints(): Promise<void> {
  try {
    const list = await api().call('checkpoints.list', { limit: 200 });
    const ids = new Set(list.map((c) => c.id));
    set({ list, loaded: true, error: null, picked: get().picked.filter((id) => ids.has(id)) });
  } catch (error) {
    set({ loaded: true, error: errorText(error) });
  }
}

export function openCreate(): void {
  set({ creating: true });
}
export function closeCreate(): void {
  set({ creating: false });
}

export async function createCheckpoint(name: string): Promise<void> {
  set({ creating: false });
  const { activeRunId, runs } = useLive.getState();
  const live = runs.find((r) => r.status === 'running' || r.status === 'pending');
  const runId = live?.id ?? activeRunId ?? undefined;
  setNotice(`Creating checkpoint "${name}"…`, 'news');
  try {
    await flushSave();
    const checkpoint = await api().call('checkpoints.create', {
      name,
      ...(runId ? { runId } : {}),
    });
    setBottomTab('checkpoints');
    await loadCheckpoints();
    setNotice(`Checkpoint "${checkpoint.name}" created.`, 'news');
  } catch (error) {
    setNotice(`Could not create the checkpoint: ${errorText(error)}`);
  }
}

/** Opens the confirmation, then fills in what will change. */
export async function askRestore(id: string): Promise<void> {
  const checkpoint = get().list.find((c) => c.id === id);
  if (!checkpoint) return;
  set({ confirm: { checkpoint, preview: null, error: null } });
  try {
    await flushSave();
    const preview = await api().call('checkpoints.preview', { id });
    if (get().confirm?.checkpoint.id === id) set({ confirm: { checkpoint, preview, error: null } });
  } catch (error) {
    if (get().confirm?.checkpoint.id === id) {
      set({ confirm: { checkpoint, preview: null, error: errorText(error) } });
    }
  }
}

export function cancelRestore(): void {
  set({ confirm: null });
}

export async function confirmRestore(): Promise<void> {
  const q = get().confirm;
  if (!q) return;
  set({ restoring: true });
  try {
    await flushSave();
    const result = await api().call('checkpoints.restore', { id: q.checkpoint.id });
    await loadCheckpoints();
    // The dialog stays (Restoring…) until canvas, inspector and log show the restored state.
    let shown = true;
    await showRestoredState(restoredPoint(q.checkpoint, get().list)).catch(() => (shown = false));
    set({ confirm: null, lastRestore: { ...result, name: q.checkpoint.name } });
    setNotice(
      shown
        ? `Restored checkpoint "${q.checkpoint.name}".`
        : `Restored checkpoint "${q.checkpoint.name}"; reload the page to see it.`,
      'news',
    );
  } catch (error) {
    set({ confirm: { ...q, error: errorText(error) } });
  } finally {
    set({ restoring: false });
  }
}

/** The canvas, inspector, run status and log, as the engine has them after a restore. */
export async function showRestoredState(point?: RestoredPoint): Promise<void> {
  const list = await api().call('workflows.list', {});
  const currentId = useWorkflows.getState().currentId;
  const workflow =
    (currentId ? await api().call('workflows.get', { id: currentId }) : null) ?? list[0] ?? null;
  useWorkflows.setState({ list, currentId: workflow?.id ?? null });
  resetLive(!!workflow);
  reloadWorkflow(workflow);
  if (!workflow) return;
  const runs = await api().call('runs.list', { workflowId: workflow.id, limit: 20 });
  for (const run of runs.reverse()) noteRun(run);
  await replayHistory();
  await reconcileWithEngine(point);
}

const RESTORED_ID = /checkpoint (\S+) was restored/;

/**
 * The restored checkpoint's place in time, and the windows of timelines that restores abandoned
 * before it was taken (read from the automatic pre-restore checkpoints: each marks one restore,
 * from the restored checkpoint's time to its own).
 */
export function restoredPoint(target: CheckpointInfo, list: CheckpointInfo[]): RestoredPoint {
  const byId = new Map(list.map((c) => [c.id, c]));
  const restores = list.flatMap((pre) => {
    if (!pre.tags.includes('pre-restore')) return [];
    const targetId = RESTORED_ID.exec(pre.description ?? '')?.[1];
    const restored = targetId ? byId.get(targetId) : undefined;
    return restored
      ? [{ pre: pre.id, targetId: restored.id, from: restored.createdAt, to: pre.createdAt }]
      : [];
  });
  const abandoned = restores
    .filter(
      (r) =>
        r.pre !== target.id &&
        r.to <= target.createdAt &&
        // Undone before the target was taken: that timeline came back.
        !restores.some((u) => u.targetId === r.pre && u.to <= target.createdAt),
    )
    .map((r) => [r.from, r.to] as const);
  return { at: target.createdAt, abandoned };
}

export function dismissLastRestore(): void {
  set({ lastRestore: null });
}

export function togglePick(id: string): void {
  const picked = get().picked;
  set({
    picked: picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id].slice(-2),
  });
}

export async function comparePicked(): Promise<void> {
  const picked = get().picked;
  if (picked.length !== 2) return;
  // Older first, so the diff reads as "what happened from one to the other".
  const [a, b] = picked
    .map((id) => get().list.find((c) => c.id === id)!)
    .sort((x, y) => x.createdAt - y.createdAt);
  try {
    const comparison = await api().call('checkpoints.compare', { from: a!.id, to: b!.id });
    set({ comparison });
  } catch (error) {
    setNotice(`Could not compare: ${errorText(error)}`);
  }
}

export function closeComparison(): void {
  set({ comparison: null });
}

export async function forkCheckpoint(id: string): Promise<void> {
  try {
    const fork = await api().call('checkpoints.fork', { id });
    set({ fork });
  } catch (error) {
    setNotice(`Could not fork: ${errorText(error)}`);
  }
}

export function closeFork(): void {
  set({ fork: null });
}

export async function deleteCheckpoint(id: string): Promise<void> {
  try {
    await api().call('checkpoints.delete', { id });
    await loadCheckpoints();
  } catch (error) {
    setNotice(`Could not delete the checkpoint: ${errorText(error)}`);
  }
}
