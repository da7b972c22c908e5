/**
 * What changed between two checkpoints: sessions (added, removed, status, state), messages
 * (appeared, moved between states or receivers, acknowledged = gone from the unacknowledged set),
 * workflows (topology revisions) and runs (status). Lists are capped; counts are exact.
 */
import type { CheckpointComparison, MessageRef, SessionRef } from '../../../src-shared/contract';
import type { TableRows } from '../store/port';
import type { Payload } from './codec';
import { Labels } from './labels';

export type { CheckpointComparison, MessageRef, SessionRef };

function index(t: TableRows, key = 'id'): Map<string, unknown[]> {
  const at = t.columns.indexOf(key);
  return new Map(t.rows.map((r) => [r[at] as string, r]));
}

function getter(t: TableRows) {
  const pos = new Map(t.columns.map((c, i) => [c, i]));
  return (row: unknown[], column: string): unknown => {
    const i = pos.get(column);
    return i === undefined ? undefined : row[i];
  };
}

function keyDiff(a: Map<string, unknown>, b: Map<string, unknown>) {
  return {
    added: [...b.keys()].filter((id) => !a.has(id)),
    removed: [...a.keys()].filter((id) => !b.has(id)),
  };
}

function diffKeys<T>(
  a: Map<string, unknown[]>,
  b: Map<string, unknown[]>,
  ref: (row: unknown[]) => T,
) {
  const added: T[] = [];
  const removed: T[] = [];
  for (const [id, row] of b) if (!a.has(id)) added.push(ref(row));
  for (const [id, row] of a) if (!b.has(id)) removed.push(ref(row));
  return { added, removed };
}

export function compareSnapshots(
  from: { id: string; payload: Payload },
  to: { id: string; payload: Payload },
  limit = 1_000,
): CheckpointComparison {
  const a = from.payload;
  const b = to.payload;

  const sa = index(a.sessions);
  const sb = index(b.sessions);
  const gs = getter(a.sessions);
  const gt = getter(b.sessions);
  const sref = (g: typeof gs) => (row: unknown[]) => ({
    id: g(row, 'id') as string,
    name: g(row, 'name') as string,
  });
  const sessions: CheckpointComparison['sessions'] = {
    added: diffKeys(sa, sb, sref(gt)).added,
    removed: diffKeys(sa, sb, sref(gs)).removed,
    statusChanged: [],
    stateChanged: [],
  };
  for (const [id, ra] of sa) {
    const rb = sb.get(id);
    if (!rb) continue;
    const name = gt(rb, 'name') as string;
    if (gs(ra, 'status') !== gt(rb, 'status')) {
      sessions.statusChanged.push({
        id,
        name,
        from: gs(ra, 'status') as string,
        to: gt(rb, 'status') as string,
      });
    }
    if (gs(ra, 'state') !== gt(rb, 'state')) sessions.stateChanged.push({ id, name });
  }

  const ma = index(a.messages);
  const mb = index(b.messages);
  const gma = getter(a.messages);
  const gmb = getter(b.messages);
  const mref =
    (g: typeof gma) =>
    (row: unknown[]): MessageRef => ({
      id: g(row, 'id') as string,
      type: g(row, 'type') as string,
      state: g(row, 'state') as string,
      receiver: (g(row, 'receiver_id') ?? g(row, 'receiver') ?? null) as string | null,
    });
  const appeared: MessageRef[] = [];
  const acknowledged: MessageRef[] = [];
  const moved: CheckpointComparison['messages']['moved'] = [];
  const counts = { appeared: 0, acknowledged: 0, moved: 0 };
  for (const [id, rb] of mb) {
    const ra = ma.get(id);
    if (!ra) {
      if (counts.appeared++ < limit) appeared.push(mref(gmb)(rb));
      continue;
    }
    const x = mref(gma)(ra);
    const y = mref(gmb)(rb);
    if (x.state !== y.state || x.receiver !== y.receiver) {
      if (counts.moved++ < limit) moved.push({ id, type: y.type, from: x, to: y });
    }
  }
  for (const [id, ra] of ma) {
    if (!mb.has(id) && counts.acknowledged++ < limit) acknowledged.push(mref(gma)(ra));
  }

  const wa = index(a.workflows);
  const wb = index(b.workflows);
  const gwa = getter(a.workflows);
  const gwb = getter(b.workflows);
  const workflows: CheckpointComparison['workflows'] = {
    ...keyDiff(wa, wb),
    changed: [],
  };
  for (const [id, ra] of wa) {
    const rb = wb.get(id);
    if (
      rb &&
      (gwa(ra, 'revision') !== gwb(rb, 'revision') ||
        gwa(ra, 'definition') !== gwb(rb, 'definition'))
    ) {
      workflows.changed.push({
        id,
        fromRevision: gwa(ra, 'revision') as number,
        toRevision: gwb(rb, 'revision') as number,
      });
    }
  }

  const ra = index(a.runs);
  const rb = index(b.runs);
  const gra = getter(a.runs);
  const grb = getter(b.runs);
  const runs: CheckpointComparison['runs'] = { ...keyDiff(ra, rb), statusChanged: [] };
  for (const [id, x] of ra) {
    const y = rb.get(id);
    if (y && gra(x, 'status') !== grb(y, 'status')) {
      runs.statusChanged.push({
        id,
        from: gra(x, 'status') as string,
        to: grb(y, 'status') as string,
      });
    }
  }

  const comparison: CheckpointComparison = {
    from: from.id,
    to: to.id,
    sessions,
    messages: {
      appeared,
      acknowledged,
      moved,
      counts,
      truncated: counts.appeared > limit || counts.acknowledged > limit || counts.moved > limit,
    },
    workflows,
    runs,
    lines: [],
  };
  comparison.lines = describe(comparison, new Labels([a, b]));
  return comparison;
}

/** Messages of each kind named one by one; the rest are counted. */
const LISTED = 20;

function describe(c: CheckpointComparison, labels: Labels): string[] {
  const out: string[] = [];
  const session = (s: SessionRef) => labels.session(s.id, s.name);
  for (const s of c.sessions.added) out.push(`Session ${session(s)} appeared.`);
  for (const s of c.sessions.removed) out.push(`Session ${session(s)} was removed.`);
  for (const s of c.sessions.statusChanged) out.push(`Session ${session(s)}: ${s.from} → ${s.to}.`);
  for (const s of c.sessions.stateChanged) out.push(`Session ${session(s)}: its state changed.`);
  const m = c.messages;
  const receiver = (x: MessageRef) =>
    x.receiver === null ? 'everyone' : labels.session(x.receiver);
  const message = (x: MessageRef) => `Message ${x.type} …${x.id.slice(-6)} to ${receiver(x)}`;
  for (const x of m.appeared.slice(0, LISTED)) out.push(`${message(x)} appeared (${x.state}).`);
  for (const x of m.moved.slice(0, LISTED)) {
    const to = x.to.receiver === x.from.receiver ? '' : `, now to ${receiver(x.to)}`;
    out.push(`${message(x.from)}: ${x.from.state} → ${x.to.state}${to}.`);
  }
  for (const x of m.acknowledged.slice(0, LISTED)) out.push(`${message(x)} was acknowledged.`);
  const listed = (n: number) => Math.min(n, LISTED);
  if (
    m.counts.appeared + m.counts.moved + m.counts.acknowledged >
    listed(m.appeared.length) + listed(m.moved.length) + listed(m.acknowledged.length)
  ) {
    out.push(
      `In all: ${m.counts.appeared} appeared, ${m.counts.moved} moved, ` +
        `${m.counts.acknowledged} acknowledged.`,
    );
  }
  for (const r of c.runs.added) out.push(`Run ${labels.run(r)} started.`);
  for (const r of c.runs.removed) out.push(`Run ${labels.run(r)} was removed.`);
  for (const r of c.runs.statusChanged) out.push(`Run ${labels.run(r.id)}: ${r.from} → ${r.to}.`);
  for (const w of c.workflows.added) out.push(`Workflow ${labels.workflow(w)} was created.`);
  for (const w of c.workflows.removed) out.push(`Workflow ${labels.workflow(w)} was deleted.`);
  for (const w of c.workflows.changed) {
    out.push(`Workflow ${labels.workflow(w.id)}: revision ${w.fromRevision} → ${w.toRevision}.`);
  }
  return out;
}
