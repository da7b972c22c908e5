/**
 * Pure decisions for telling the person that something waits for them: which requests are new,
 * how to tell (desktop notification, ask for permission first, or an in-app toast), and what to
 * say. Nothing waits silently: when a desktop notification is impossible, a toast shows.
 */
import type { PermissionRequest } from '../agents/types';

/** The Notification API's state; 'unsupported' when the page has no Notification API. */
export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unsupported';

export type NotifyWay = 'notify' | 'ask' | 'toast';

export function notifyWay(permission: NotifyPermission): NotifyWay {
  if (permission === 'granted') return 'notify';
  if (permission === 'default') return 'ask';
  return 'toast';
}

/** Requests in `current` not announced before, oldest first; `announced` is updated in place. */
export function newRequests(
  current: readonly PermissionRequest[],
  announced: Set<string>,
): PermissionRequest[] {
  const fresh = current.filter((r) => !announced.has(r.requestId));
  for (const r of fresh) announced.add(r.requestId);
  // Forget answered ones so the set does not grow for ever.
  const live = new Set(current.map((r) => r.requestId));
  for (const id of announced) if (!live.has(id)) announced.delete(id);
  return fresh.sort((a, b) => a.since - b.since);
}

const INPUT_CHARS = 120;

/** A short one-line view of a tool's input: its command, file path, or compact JSON. */
export function inputSummary(input: unknown): string {
  if (input && typeof input === 'object') {
    const o = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'url', 'pattern']) {
      if (typeof o[key] === 'string') return clip(o[key]);
    }
  }
  if (input === undefined || input === null) return '';
  return clip(typeof input === 'string' ? input : (JSON.stringify(input) ?? ''));
}

function clip(text: string): string {
  return text.length > INPUT_CHARS ? `${text.slice(0, INPUT_CHARS - 1)}…` : text;
}

export function requestTitle(r: PermissionRequest): string {
  return r.kind === 'question'
    ? `${r.sessionName} asks you a question`
    : `${r.sessionName} asks to use ${r.toolName ?? 'a tool'}`;
}

export function requestBody(r: PermissionRequest): string {
  return r.kind === 'question' ? clip(r.question ?? '') : inputSummary(r.input);
}

/** "12 s", "4 min", "2 h": how long a request has waited. */
export function waitedFor(since: number, now: number): string {
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/**
 * Waiting requests per workflow session id, for the canvas badges: each request's engine
 * session is looked up in its run's session map (workflow id → engine id).
 */
export function waitingByNode(
  requests: readonly PermissionRequest[],
  runs: readonly { id: string; sessions: Record<string, string> }[],
): Record<string, number> {
  const byEngineId = new Map<string, string>();
  for (const run of runs) {
    for (const [workflowId, engineId] of Object.entries(run.sessions)) {
      byEngineId.set(engineId, workflowId);
    }
  }
  const out: Record<string, number> = {};
  for (const r of requests) {
    const node = byEngineId.get(r.sessionId);
    if (node) out[node] = (out[node] ?? 0) + 1;
  }
  return out;
}
