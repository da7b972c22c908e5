/**
 * Requests waiting for the person (agents' tool permissions and questions): loaded from the
 * engine, refreshed when a permission event arrives and on a short poll (so nothing is missed
 * across reconnects), mapped to canvas nodes, and announced once each (notify.ts).
 */
import { create } from 'zustand';
import { api, errorText } from '../api';
import { answerPermission, listPermissions } from '../agents/calls';
import type { PermissionAnswer, PermissionRequest } from '../agents/types';
import { useLive } from '../stores/live';
import { newRequests, waitingByNode } from './decide';
import { announce, withdraw } from './notify';

export interface Toast {
  id: string;
  title: string;
  body: string;
}

interface PermissionsState {
  requests: readonly PermissionRequest[];
  /** Workflow session id → waiting requests (the canvas badge). */
  byNode: Readonly<Record<string, number>>;
  /** Why the list could not be loaded (shown in the header count's title). */
  error: string | null;
  toasts: readonly Toast[];
}

export const usePermissions = create<PermissionsState>(() => ({
  requests: [],
  byNode: {},
  error: null,
  toasts: [],
}));

const POLL_MS = 1500;
const announced = new Set<string>();
let loading: Promise<void> | null = null;
let again = false;

function keyOf(list: readonly PermissionRequest[]): string {
  return list.map((r) => r.requestId).join(',');
}

function publish(requests: readonly PermissionRequest[]): void {
  const state = usePermissions.getState();
  const same = keyOf(state.requests) === keyOf(requests);
  const next = same ? state.requests : requests;
  const byNode = waitingByNode(next, useLive.getState().runs);
  const byNodeSame = JSON.stringify(byNode) === JSON.stringify(state.byNode);
  if (!same || !byNodeSame || state.error) {
    usePermissions.setState({
      requests: next,
      byNode: byNodeSame ? state.byNode : byNode,
      error: null,
    });
  }
  const live = new Set(requests.map((r) => r.requestId));
  for (const t of state.toasts) if (!live.has(t.id)) dismissToast(t.id);
  for (const id of announced) if (!live.has(id)) withdraw(id);
  for (const r of newRequests(requests, announced)) void announce(r, addToast);
}

/** Reloads the waiting requests (calls made meanwhile fold into one more load). */
export function refreshPermissions(): Promise<void> {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      try {
        publish(await listPermissions());
      } catch (error) {
        usePermissions.setState({ error: errorText(error) });
      }
    } while (again);
  })().finally(() => {
    loading = null;
  });
  return loading;
}

/** Starts watching; returns the stop function. */
export function watchPermissions(): () => void {
  void refreshPermissions();
  const timer = setInterval(() => void refreshPermissions(), POLL_MS);
  const offEvents = api().onEvents((events) => {
    // A request shows as its session going idle and a BLOCKED_NOTIFICATION; answered, it goes active.
    const relevant = events.some(
      (e) =>
        (e.kind as string).startsWith('permission') ||
        (e.kind === 'session.status' && (e.to === 'idle' || e.from === 'idle')) ||
        (e.kind === 'message.published' && e.message.type === 'BLOCKED_NOTIFICATION'),
    );
    if (relevant) void refreshPermissions();
  });
  // New runs map more engine sessions to nodes.
  const offRuns = useLive.subscribe((s, prev) => {
    if (s.runs !== prev.runs) publish(usePermissions.getState().requests);
  });
  return () => {
    clearInterval(timer);
    offEvents();
    offRuns();
  };
}

/** Answers a request; it leaves the list at once (the engine confirms on the next load). */
export async function answer(a: PermissionAnswer): Promise<void> {
  await answerPermission(a);
  const left = usePermissions.getState().requests.filter((r) => r.requestId !== a.requestId);
  publish(left);
  void refreshPermissions();
}

export function addToast(toast: Toast): void {
  // Answered while the browser asked for notification permission: nothing to tell any more.
  if (!usePermissions.getState().requests.some((r) => r.requestId === toast.id)) return;
  const toasts = usePermissions.getState().toasts.filter((t) => t.id !== toast.id);
  usePermissions.setState({ toasts: [...toasts, toast] });
}

export function dismissToast(id: string): void {
  const toasts = usePermissions.getState().toasts;
  if (toasts.some((t) => t.id === id)) {
    usePermissions.setState({ toasts: toasts.filter((t) => t.id !== id) });
  }
}
