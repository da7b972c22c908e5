/**
 * What a restore would change, for a confirmation dialog: sessions removed, brought back or
 * moved to another status; unacknowledged mail now and after; runs cancelled now, runs that
 * change status, runs started since (they leave the history); workflows that change. It
 * predicts what restore does, not only what the checkpoint holds: a run live at the checkpoint
 * comes back `interrupted` with its active sessions idle (restore.ts settleRestoredRuns), so
 * that is what the preview says.
 */
import type { RestorePreview, SessionRef } from '../../../src-shared/contract';
import { plural } from '../../../src-shared/text';
import type { SnapshotTables, TableRows } from '../store/port';
import { rowObjects, summarize, type Payload } from './codec';
import { Labels } from './labels';
import type { Checkpoint } from './types';

export type { RestorePreview };

const LIVE = new Set(['pending', 'running']);
/** "1 workflow goes" / "2 workflows go". */
const counted = (n: number, noun: string, [one, many]: [string, string]) =>
  `${plural(n, noun)} ${n === 1 ? one : many}`;

function states(tables: SnapshotTables): Record<string, number> {
  const s = summarize(tables);
  return { pending: s.pending ?? 0, leased: s.leased ?? 0, dead: s.dead ?? 0 };
}

const byId = (t: TableRows) => new Map(rowObjects(t).map((r) => [String(r.id), r]));

function sessionIdsOf(run: Record<string, unknown>): string[] {
  try {
    return Object.values(JSON.parse(String(run.sessions ?? '{}')) as Record<string, string>);
  } catch {
    return [];
  }
}

/** Each session's and run's status right after restoring `target`. */
function statusesAfter(target: SnapshotTables) {
  const runs = new Map<string, string>();
  const sessions = new Map<string, string>();
  for (const [id, s] of byId(target.sessions)) sessions.set(id, String(s.status));
  for (const [id, run] of byId(target.runs)) {
    const live = LIVE.has(String(run.status));
    runs.set(id, live ? 'interrupted' : String(run.status));
    if (!live) continue;
    for (const sid of sessionIdsOf(run))
      if (sessions.get(sid) === 'active') sessions.set(sid, 'idle');
  }
  return { runs, sessions };
}

export function previewRestore(
  checkpoint: Checkpoint,
  current: SnapshotTables,
  target: Payload,
  liveNow: string[],
  historyWarning: string | null,
): RestorePreview {
  const after = statusesAfter(target);
  const sessionsNow = byId(current.sessions);
  const sessionsThen = byId(target.sessions);
  const labels = new Labels([target, current]);
  const sessions: RestorePreview['sessions'] = { removed: [], added: [], statusChanged: [] };
  for (const [id, s] of sessionsNow) {
    const to = after.sessions.get(id);
    const name = String(s.name);
    if (to === undefined) sessions.removed.push({ id, name });
    else if (to !== s.status) sessions.statusChanged.push({ id, name, from: String(s.status), to });
  }
  for (const [id, s] of sessionsThen) {
    if (!sessionsNow.has(id)) sessions.added.push({ id, name: String(s.name) });
  }

  const runsNow = byId(current.runs);
  const runs: RestorePreview['runs'] = {
    cancelled: liveNow,
    statusChanged: [],
    interrupted: [],
    removed: [...runsNow.keys()].filter((id) => !after.runs.has(id)),
  };
  for (const [id, to] of after.runs) {
    if (to === 'interrupted') runs.interrupted.push(id);
    const now = runsNow.get(id);
    if (now && now.status !== to) runs.statusChanged.push({ id, from: String(now.status), to });
  }

  const workflowsNow = byId(current.workflows);
  const workflowsThen = byId(target.workflows);
  const ref = (id: string, w: Record<string, unknown>): SessionRef => ({
    id,
    name: String(w.name),
  });
  const workflows: RestorePreview['workflows'] = { removed: [], added: [], changed: [] };
  for (const [id, w] of workflowsNow) {
    const then = workflowsThen.get(id);
    if (!then) workflows.removed.push(ref(id, w));
    else if (Number(then.revision) !== Number(w.revision)) workflows.changed.push(ref(id, w));
  }
  for (const [id, w] of workflowsThen) if (!workflowsNow.has(id)) workflows.added.push(ref(id, w));

  const preview: RestorePreview = {
    checkpoint,
    sessions,
    messages: { now: states(current), atCheckpoint: states(target) },
    runs,
    workflows,
    historyIncomplete: historyWarning !== null,
    warnings: historyWarning ? [historyWarning] : [],
    lines: [],
  };
  preview.lines = describe(preview, labels);
  return preview;
}

type Label = (ref: SessionRef) => string;
const quoted: Label = (ref) => `"${ref.name}"`;

function names(list: SessionRef[], label: Label = quoted): string {
  const shown = list.slice(0, 5).map(label);
  return shown.join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
}

function describe(p: RestorePreview, labels: Labels): string[] {
  const label: Label = (ref) => labels.session(ref.id, ref.name);
  const lines: string[] = [];
  const { sessions, runs, workflows: w } = p;
  for (const s of sessions.statusChanged.slice(0, 10)) {
    lines.push(`Session ${label(s)} goes from ${s.from} to ${s.to}.`);
  }
  if (sessions.statusChanged.length > 10) {
    lines.push(
      `${counted(sessions.statusChanged.length - 10, 'more session', ['changes', 'change'])} status.`,
    );
  }
  if (sessions.removed.length) {
    lines.push(
      `${plural(sessions.removed.length, 'session')} removed: ${names(sessions.removed, label)}.`,
    );
  }
  if (sessions.added.length) {
    lines.push(
      `${plural(sessions.added.length, 'session')} brought back: ${names(sessions.added, label)}.`,
    );
  }
  const m = p.messages;
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const parts = (r: Record<string, number>) =>
    `${r.pending} pending, ${r.leased} in flight, ${r.dead} dead-lettered`;
  // What was in flight at the checkpoint comes back pending: nobody holds its lease any more.
  const at = m.atCheckpoint;
  const redelivered = at.leased
    ? `; ${plural(at.leased, 'message was', 'messages were')} in flight at the checkpoint and ` +
      `${at.leased === 1 ? 'is' : 'are'} delivered again`
    : '';
  lines.push(
    `Unacknowledged messages: ${total(m.now)} now (${parts(m.now)}) → ${total(at)} after ` +
      `(${at.pending! + at.leased!} pending, ${at.dead} dead-lettered)${redelivered}.`,
  );
  if (runs.cancelled.length) lines.push(`${plural(runs.cancelled.length, 'live run')} cancelled.`);
  const changed = runs.statusChanged.filter((r) => !runs.cancelled.includes(r.id));
  for (const r of changed.slice(0, 5)) {
    lines.push(`Run ${labels.run(r.id)} goes from ${r.from} to ${r.to}.`);
  }
  if (runs.removed.length) {
    const removed = names(
      runs.removed.map((id) => ({ id, name: id })),
      (ref) => labels.run(ref.id),
    );
    lines.push(
      `${counted(runs.removed.length, 'run', ['leaves', 'leave'])} the run history (started after the checkpoint): ${removed}.`,
    );
  }
  if (runs.interrupted.length) {
    lines.push(
      `${plural(runs.interrupted.length, 'run was', 'runs were')} running at the checkpoint: ` +
        `${runs.interrupted.length === 1 ? 'it comes' : 'they come'} back interrupted, with active sessions idle; ` +
        'resume (Run history → Resume, or runs.resume) to carry on.',
    );
  }
  if (w.removed.length)
    lines.push(`${plural(w.removed.length, 'workflow')} removed: ${names(w.removed)}.`);
  if (w.added.length)
    lines.push(`${plural(w.added.length, 'workflow')} brought back: ${names(w.added)}.`);
  if (w.changed.length) {
    lines.push(
      `${counted(w.changed.length, 'workflow', ['goes', 'go'])} back to an earlier revision: ${names(w.changed)}.`,
    );
  }
  return lines;
}
