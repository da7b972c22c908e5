/**
 * Feeds engine events into the live store. Events are handled into plain mutable buffers; one
 * requestAnimationFrame flush per frame publishes them, so React renders once a frame at most.
 */
import type { StreamEvent } from '../../../src-shared/stream';
import type { Message, MessageState } from '../../../src-shared/types';
import type { Run } from '../../../src-shared/workflow';
import { api } from '../api';
import { docOf, useEditor } from '../stores/editor';
import { LOG_LIMIT, useLive, type LogEntry, type NodeLive, type RunnerLog } from '../stores/live';
import { FlowBuffer } from './flow';
import { findEdge, SessionIndex } from './route';

/** Count labels refresh up to 10 times a second per edge: a busy edge re-renders 10×/s, not 60×. */
const flow = new FlowBuffer({ countIntervalMs: 100 });
const index = new SessionIndex();
const names = new Map<string, string>();
const waiting = new Map<string, StreamEvent[]>();
const foreign = new Set<string>();
let log = new Map<string, LogEntry>();
let nodes: Record<string, NodeLive> = {};
let logs: RunnerLog[] = [];
let dirty = false;
let listsDirty = false;
let frame = 0;
/** While history replays, live events wait here; historical messages draw no packets. */
let replaying: StreamEvent[] | null = null;
let replayedTo = 0;

const now = () => performance.now();

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(flushFrame);
}

/** The log and inspector lists are for reading, not animation: refreshed at most 5 times a second. */
const LIST_INTERVAL_MS = 200;
let listsPublishedAt = -Infinity;

function flushFrame(): void {
  frame = 0;
  const t = now();
  const live = useLive.getState();
  const flows = flow.flush(live.flows, t);
  const patch: Partial<typeof live> = {};
  if (flows !== live.flows) patch.flows = flows;
  if (dirty) {
    patch.nodes = { ...nodes };
    dirty = false;
  }
  if (listsDirty && t - listsPublishedAt >= LIST_INTERVAL_MS) {
    patch.log = [...log.values()].slice(-LOG_LIMIT);
    if (logs.length > 400) logs.splice(0, logs.length - 200);
    patch.logs = logs.slice(-200);
    listsDirty = false;
    listsPublishedAt = t;
  }
  if (Object.keys(patch).length) useLive.setState(patch);
  if (listsDirty || flow.busy(useLive.getState().flows)) schedule();
}

function nodeOf(id: string): NodeLive {
  return (nodes[id] ??= { status: 'initializing', error: null, sent: 0, received: 0 });
}

/** Replaces one node's entry (a new object, so only its component re-renders); published per frame. */
function touchNode(id: string, patch: Partial<NodeLive>): void {
  nodes[id] = { ...nodeOf(id), ...patch };
  dirty = true;
}

function label(engineId: string | null): string | null {
  if (!engineId) return null;
  return index.toWorkflow(engineId) ?? names.get(engineId) ?? engineId;
}

async function learnRun(runId: string, first: StreamEvent): Promise<void> {
  waiting.set(runId, [first]);
  let run: Run | null = null;
  try {
    run = await api().call('runs.get', { id: runId });
  } catch {
    // The run's events stay unmapped; they still reach the log.
  }
  noteRun(run, runId);
  const held = waiting.get(runId) ?? [];
  waiting.delete(runId);
  for (const e of held) handle(e);
  schedule();
}

/** Adds a run's sessions to the index (only runs of the open workflow draw on the canvas). */
export function noteRun(run: Run | null, runId = run?.id ?? ''): void {
  if (run && run.workflowId === useEditor.getState().workflowId) index.addRun(run.id, run.sessions);
  else {
    index.addRun(runId, {});
    foreign.add(runId);
  }
  if (run) upsertRun(run);
}

export function upsertRun(run: Run): void {
  if (run.workflowId !== useEditor.getState().workflowId) return;
  const runs = useLive.getState().runs.filter((r) => r.id !== run.id);
  useLive.setState({ runs: [run, ...runs].sort((a, b) => b.createdAt - a.createdAt).slice(0, 50) });
}

function handle(e: StreamEvent): void {
  const runId = 'runId' in e ? e.runId : null;
  if (runId && !index.hasRun(runId)) {
    const held = waiting.get(runId);
    if (held) held.push(e);
    else void learnRun(runId, e);
    return;
  }
  const t = now();
  switch (e.kind) {
    case 'message.published': {
      const m = e.message;
      // The log and canvas show the open workflow's runs only.
      const run = runId ?? index.runOf(m.sender) ?? index.runOf(m.receiverId);
      if (!run || foreign.has(run)) break;
      const from = index.toWorkflow(m.sender);
      const to = index.toWorkflow(m.receiverId ?? m.receiver);
      log.set(m.id, {
        id: m.id,
        at: e.at,
        type: m.type,
        sender: label(m.sender) ?? m.sender,
        receiver: label(m.receiverId ?? m.receiver),
        runId: run,
        state: 'published',
        reason: null,
      });
      if (log.size > LOG_LIMIT * 2) log = new Map([...log].slice(-LOG_LIMIT));
      listsDirty = true;
      if (from) touchNode(from, { sent: nodeOf(from).sent + 1 });
      if (to) touchNode(to, { received: nodeOf(to).received + 1 });
      const hit = findEdge(docOf(useEditor.getState()), from, to);
      if (m.type === 'ERROR') {
        // An ERROR report marks its sender and the edge it travels as failed.
        const name = label(m.sender) ?? m.sender;
        if (from) touchNode(from, { error: nodeOf(from).error ?? 'reported an ERROR' });
        if (hit) flow.fail(hit.edgeId, `ERROR from ${name}`, t, hit.reverse, !replaying, true);
      } else if (hit) flow.record(hit.edgeId, hit.reverse, t, !replaying);
      break;
    }
    case 'message.delivered':
    case 'message.acknowledged':
    case 'message.failed':
    case 'message.dead': {
      const entry = log.get(e.id);
      if (!entry) break;
      const state = e.kind.slice('message.'.length) as LogEntry['state'];
      const reason = 'reason' in e ? e.reason : entry.reason;
      log.set(e.id, { ...entry, state, reason });
      listsDirty = true;
      if (e.kind === 'message.failed' || e.kind === 'message.dead') {
        const hit = findEdge(docOf(useEditor.getState()), entry.sender, entry.receiver);
        if (hit) flow.fail(hit.edgeId, reason ?? 'failed', t, hit.reverse, !replaying);
      }
      break;
    }
    case 'session.created':
      names.set(e.sessionId, e.name);
      break;
    case 'session.status': {
      const id = index.toWorkflow(e.sessionId);
      if (!id) break;
      // A new run's session starts clean; otherwise a failure stays marked after termination.
      const fresh = e.from === 'initializing' && e.to === 'active';
      const error = e.to === 'error' ? (e.reason ?? 'error') : fresh ? null : nodeOf(id).error;
      touchNode(id, { status: e.to, error });
      break;
    }
    case 'runner.log': {
      const id = index.toWorkflow(e.sessionId);
      if (!id) break;
      logs.push({ at: e.at, sessionId: id, level: e.level, text: e.text });
      if (e.level === 'error') touchNode(id, { error: e.text });
      listsDirty = true;
      break;
    }
    case 'run.status': {
      if (foreign.has(e.runId)) break;
      const known = useLive.getState().runs.find((r) => r.id === e.runId);
      if (known) upsertRun({ ...known, status: e.status, error: e.error });
      void api()
        .call('runs.get', { id: e.runId })
        .then((run) => run && upsertRun(run))
        .catch(() => undefined);
      break;
    }
  }
}

export function handleEvents(events: readonly StreamEvent[]): void {
  if (replaying) {
    replaying.push(...events);
    return;
  }
  for (const e of events) if (e.seq > replayedTo) handle(e);
  schedule();
}

const REPLAY_PAGE = 5_000;
const REPLAY_MAX_PAGES = 20;

/** Replays the stored event history so counts, statuses and the log survive a reload. */
export async function replayHistory(): Promise<void> {
  const held: StreamEvent[] = [];
  replaying = held;
  let seq = 0;
  try {
    for (let page = 0; page < REPLAY_MAX_PAGES; page++) {
      const result = await api().call('events.since', { seq, limit: REPLAY_PAGE });
      for (const e of result.events) handle(e);
      await settle();
      if (result.events.length === 0) break;
      seq = result.events[result.events.length - 1]!.seq;
      if (seq >= result.lastSeq) break;
    }
  } finally {
    replayedTo = Math.max(replayedTo, seq);
    replaying = null;
    handleEvents(held);
  }
}

/** Waits until runs being looked up have been learnt (their held events handled). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50 && waiting.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

/** Forget the canvas' live state (when another workflow opens). */
export function resetLive(): void {
  flow.reset();
  index.clear();
  foreign.clear();
  log = new Map();
  nodes = {};
  replayedTo = 0;
  logs = [];
  useLive.setState({ flows: {}, nodes: {}, log: [], logs: [], runs: [], activeRunId: null });
}

const LOG_STATE: Record<MessageState, LogEntry['state']> = {
  pending: 'published',
  leased: 'delivered',
  acknowledged: 'acknowledged',
  dead: 'dead',
};

/**
 * Brings the log, the counts on nodes and edges, and the nodes' statuses in line with what the
 * engine holds now. After a checkpoint restore the event history still tells the abandoned
 * timeline; the messages and sessions themselves are the truth.
 */
export interface RestoredPoint {
  /** When the restored checkpoint was taken. */
  at: number;
  /** Time windows of timelines a restore abandoned before that checkpoint was taken. */
  abandoned: readonly (readonly [number, number])[];
}

/**
 * A checkpoint keeps only unacknowledged mail, so a restore can drop acknowledged messages the
 * restored point had seen (undoing a restore, say). Those stay in the log when the history says
 * they were acknowledged by the checkpoint's time, on its own timeline.
 */
function seenAt(entry: LogEntry, point: RestoredPoint | undefined): boolean {
  if (!point || entry.state !== 'acknowledged' || entry.at > point.at) return false;
  return !point.abandoned.some(([from, to]) => entry.at > from && entry.at <= to);
}

export async function reconcileWithEngine(point?: RestoredPoint): Promise<void> {
  const runs = useLive.getState().runs;
  const engineIds = new Set(runs.flatMap((r) => Object.values(r.sessions)));
  const found = new Map<string, Message>();
  const lists = await Promise.all(
    [...engineIds].map((sender) => api().call('bus.list', { sender, limit: 10_000 })),
  );
  for (const list of lists) for (const m of list) found.set(m.id, m);

  const kept = new Map<string, LogEntry>();
  for (const [id, entry] of log) {
    const m = found.get(id);
    if (m) kept.set(id, { ...entry, state: LOG_STATE[m.state] ?? entry.state });
    else if (seenAt(entry, point)) kept.set(id, entry);
  }
  log = kept;

  // Counts, from the kept log (no packets: this is history, not traffic).
  const doc = docOf(useEditor.getState());
  for (const id of Object.keys(nodes)) nodes[id] = { ...nodes[id]!, sent: 0, received: 0 };
  flow.reset();
  useLive.setState({ flows: {} });
  const t = now();
  for (const e of kept.values()) {
    if (doc.sessions.some((s) => s.id === e.sender)) {
      touchNode(e.sender, { sent: nodeOf(e.sender).sent + 1 });
    }
    if (e.receiver && doc.sessions.some((s) => s.id === e.receiver)) {
      touchNode(e.receiver, { received: nodeOf(e.receiver).received + 1 });
    }
    const hit = findEdge(doc, e.sender, e.receiver);
    if (!hit) continue;
    if (e.type === 'ERROR' || e.state === 'dead' || e.state === 'failed') {
      flow.fail(hit.edgeId, e.reason ?? 'failed', t, hit.reverse, false, e.type === 'ERROR');
    } else flow.record(hit.edgeId, hit.reverse, t, false);
  }

  // Statuses of the newest run's sessions, as the engine has them now.
  const latest = runs[0];
  if (latest) {
    await Promise.all(
      Object.entries(latest.sessions).map(async ([wfId, engineId]) => {
        const session = await api().call('sessions.get', { id: engineId });
        if (session) {
          const error = session.status === 'error' ? (session.error ?? 'error') : null;
          touchNode(wfId, { status: session.status, error });
        } else touchNode(wfId, { status: 'initializing', error: null });
      }),
    );
  }
  listsDirty = true;
  dirty = true;
  listsPublishedAt = -Infinity;
  schedule();
}
