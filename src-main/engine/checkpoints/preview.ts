/**
 * What a restore would change, for a confirmation dialog: sessions removed, brought back or
 * moved to another status; unacknowledged mail now and at the checkpoint; runs that would be
 * cancelled; workflows that would change.
 */
import type { RestorePreview } from '../../../src-shared/contract';
import type { SnapshotTables, TableRows } from '../store/port';
import { summarize, type Payload } from './codec';
import { compareSnapshots } from './compare';
import type { Checkpoint } from './types';

export type { RestorePreview };

const noMessages = (t: TableRows): TableRows => ({ columns: t.columns, rows: [] });

function states(tables: SnapshotTables): Record<string, number> {
  const s = summarize(tables);
  return { pending: s.pending ?? 0, leased: s.leased ?? 0, dead: s.dead ?? 0 };
}

function workflowNames(...tables: TableRows[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tables) {
    const id = t.columns.indexOf('id');
    const name = t.columns.indexOf('name');
    for (const row of t.rows) out.set(row[id] as string, String(row[name]));
  }
  return out;
}

export function previewRestore(
  checkpoint: Checkpoint,
  current: SnapshotTables,
  target: Payload,
  liveRuns: string[],
): RestorePreview {
  const now = {
    ...current,
    format: target.format,
    createdAt: 0,
    messages: noMessages(current.messages),
  };
  const diff = compareSnapshots(
    { id: 'now', payload: now },
    { id: checkpoint.id, payload: { ...target, messages: noMessages(target.messages) } },
  );
  const names = workflowNames(current.workflows, target.workflows);
  const ref = (id: string) => ({ id, name: names.get(id) ?? id });
  const preview: RestorePreview = {
    checkpoint,
    // compareSnapshots(now → checkpoint): "removed" = exists now only, "added" = at the checkpoint only.
    sessions: {
      removed: diff.sessions.removed,
      added: diff.sessions.added,
      statusChanged: diff.sessions.statusChanged,
    },
    messages: { now: states(current), atCheckpoint: states(target) },
    runs: { cancelled: liveRuns, statusChanged: diff.runs.statusChanged },
    workflows: {
      removed: diff.workflows.removed.map(ref),
      added: diff.workflows.added.map(ref),
      changed: diff.workflows.changed.map((c) => ref(c.id)),
    },
    lines: [],
  };
  preview.lines = describe(preview);
  return preview;
}

function describe(p: RestorePreview): string[] {
  const lines: string[] = [];
  const count = (r: Record<string, number>) =>
    `${r.pending ?? 0} pending, ${r.leased ?? 0} in flight, ${r.dead ?? 0} dead-lettered`;
  if (p.runs.cancelled.length)
    lines.push(`${p.runs.cancelled.length} running run(s) will be cancelled.`);
  if (p.sessions.removed.length) {
    lines.push(
      `${p.sessions.removed.length} session(s) created since will be removed: ${p.sessions.removed.map((s) => s.name).join(', ')}.`,
    );
  }
  if (p.sessions.added.length) lines.push(`${p.sessions.added.length} session(s) will come back.`);
  for (const s of p.sessions.statusChanged) lines.push(`Session "${s.name}": ${s.from} → ${s.to}.`);
  lines.push(
    `Messages: now ${count(p.messages.now)}; after the restore ${count(p.messages.atCheckpoint)} (in flight ones are delivered again).`,
  );
  const w = p.workflows;
  if (w.removed.length + w.added.length + w.changed.length) {
    lines.push(
      `Workflows: ${w.changed.length} changed, ${w.added.length} brought back, ${w.removed.length} removed.`,
    );
  }
  return lines;
}
