/**
 * checkpoints.preview: what restoring a checkpoint would change, from the current state (read
 * through the engine's public services) to the checkpoint's (read from its validated portable
 * form). Nothing is written; the restore itself re-validates everything.
 */
import type { CheckpointInfo, RestorePreview, SessionRef } from '../../src-shared/contract';
import { decode } from '../engine/checkpoints/codec';
import { readFile } from '../engine/checkpoints/portable';
import type { TableRows } from '../engine/store/port';
import type { ServedEngine } from './services';

function rows(t: TableRows): Record<string, unknown>[] {
  return t.rows.map((row) => Object.fromEntries(t.columns.map((c, i) => [c, row[i]])));
}

const LIVE = new Set(['pending', 'running']);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function previewRestore(
  engine: Pick<ServedEngine, 'checkpoints' | 'sessions' | 'runs' | 'workflows' | 'bus'>,
  id: string,
): Promise<RestorePreview> {
  const meta = (await engine.checkpoints.require(id)) as CheckpointInfo;
  const { header, data } = readFile(await engine.checkpoints.exportCheckpoint(id));
  const payload = await decode(data, header.checkpoint, Number.MAX_SAFE_INTEGER);

  const [sessionsNow, runsNow, workflowsNow, stats, dead] = await Promise.all([
    engine.sessions.list(),
    engine.runs.list({ limit: 10_000 }),
    engine.workflows.list({ limit: 10_000 }),
    engine.bus.stats(),
    engine.bus.deadLetters(10_000),
  ]);

  const then = new Map(rows(payload.sessions).map((r) => [String(r.id), r]));
  const now = new Map(sessionsNow.map((s) => [s.id, s]));
  const sessions: RestorePreview['sessions'] = { removed: [], added: [], statusChanged: [] };
  for (const s of sessionsNow) {
    const old = then.get(s.id);
    if (!old) sessions.removed.push({ id: s.id, name: s.name });
    else if (old.status !== s.status) {
      sessions.statusChanged.push({
        id: s.id,
        name: s.name,
        from: s.status,
        to: String(old.status),
      });
    }
  }
  for (const [sid, r] of then) {
    if (!now.has(sid)) sessions.added.push({ id: sid, name: String(r.name) });
  }

  const runsThen = new Map(rows(payload.runs).map((r) => [String(r.id), String(r.status)]));
  const runs: RestorePreview['runs'] = { cancelled: [], statusChanged: [] };
  for (const r of runsNow) {
    const old = runsThen.get(r.id);
    if (LIVE.has(r.status) && (!old || !LIVE.has(old))) runs.cancelled.push(r.id);
    if (old && old !== r.status) runs.statusChanged.push({ id: r.id, from: r.status, to: old });
  }

  const wfThen = new Map(rows(payload.workflows).map((r) => [String(r.id), r]));
  const workflows: RestorePreview['workflows'] = { removed: [], added: [], changed: [] };
  for (const w of workflowsNow) {
    const old = wfThen.get(w.id);
    const ref: SessionRef = { id: w.id, name: w.definition.name };
    if (!old) workflows.removed.push(ref);
    else if (Number(old.revision) !== w.revision) workflows.changed.push(ref);
  }
  const nowIds = new Set(workflowsNow.map((w) => w.id));
  for (const [wid, r] of wfThen) {
    if (!nowIds.has(wid)) workflows.added.push({ id: wid, name: String(r.name) });
  }

  const summary = meta.summary;
  const messages: RestorePreview['messages'] = {
    now: { pending: stats.pending, leased: stats.inFlight, dead: dead.length },
    atCheckpoint: {
      pending: summary.pending ?? 0,
      leased: summary.leased ?? 0,
      dead: summary.dead ?? 0,
    },
  };

  const lines: string[] = [];
  const names = (list: SessionRef[]) =>
    list
      .slice(0, 5)
      .map((s) => `"${s.name}"`)
      .join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
  for (const s of sessions.statusChanged.slice(0, 10)) {
    lines.push(`Session "${s.name}" goes from ${s.from} back to ${s.to}.`);
  }
  if (sessions.statusChanged.length > 10) {
    lines.push(`${sessions.statusChanged.length - 10} more session(s) change status.`);
  }
  if (sessions.removed.length) {
    lines.push(
      `${plural(sessions.removed.length, 'session')} removed: ${names(sessions.removed)}.`,
    );
  }
  if (sessions.added.length) {
    lines.push(
      `${plural(sessions.added.length, 'session')} brought back: ${names(sessions.added)}.`,
    );
  }
  const m = messages;
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  lines.push(
    `Unacknowledged messages: ${total(m.now)} now (${m.now.pending} pending, ${m.now.leased} in flight, ${m.now.dead} dead) → ` +
      `${total(m.atCheckpoint)} at the checkpoint (${m.atCheckpoint.pending} pending, ${m.atCheckpoint.leased} in flight, ${m.atCheckpoint.dead} dead).`,
  );
  if (runs.cancelled.length) {
    lines.push(`${plural(runs.cancelled.length, 'live run')} cancelled.`);
  }
  for (const r of runs.statusChanged.filter((x) => !runs.cancelled.includes(x.id)).slice(0, 5)) {
    lines.push(`Run …${r.id.slice(-8)} goes from ${r.from} back to ${r.to}.`);
  }
  // Runs live in the checkpoint: resumed when the run service can, else ended as interrupted.
  const liveThen = [...runsThen].filter(([, status]) => LIVE.has(status)).map(([rid]) => rid);
  const canResume = typeof (engine.runs as unknown as { resume?: unknown }).resume === 'function';
  if (liveThen.length && !canResume) {
    lines.push(
      `${plural(liveThen.length, 'run was', 'runs were')} running at the checkpoint: runs cannot resume in place yet, ` +
        'so they come back as failed ("interrupted") with their sessions terminated; their messages come back as they were.',
    );
  }
  if (workflows.removed.length) {
    lines.push(
      `${plural(workflows.removed.length, 'workflow')} removed: ${names(workflows.removed)}.`,
    );
  }
  if (workflows.added.length) {
    lines.push(
      `${plural(workflows.added.length, 'workflow')} brought back: ${names(workflows.added)}.`,
    );
  }
  if (workflows.changed.length) {
    lines.push(
      `${plural(workflows.changed.length, 'workflow')} go back to an earlier revision: ${names(workflows.changed)}.`,
    );
  }
  return { checkpoint: meta, sessions, messages, runs, workflows, lines };
}
