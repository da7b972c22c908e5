/**
 * Feeds engine events into the live store. Events (and, for a digest subscription, per-frame
 * traffic digests) are handled into plain mutable buffers; one requestAnimationFrame flush per
 * frame publishes them, so React renders once a frame at most — and only a bounded number of
 * nodes and edges per frame, so a thousand busy ones never re-render together.
 */
import type { MessageType } from '../../../src-shared/domain';
import type {
  SampledMessage,
  StreamEvent,
  StreamMessageSummary,
  TrafficDigest,
} from '../../../src-shared/stream';
import type { Message, MessageState } from '../../../src-shared/types';
import type { Run } from '../../../src-shared/workflow';
import { api } from '../api';
import { docOf, useEditor } from '../stores/editor';
import {
  LOG_LIMIT,
  publishLive,
  useLive,
  type LogEntry,
  type NodeLive,
  type RunnerLog,
} from '../stores/live';
import { FlowBuffer } from './flow';
import { findEdge, SessionIndex } from './route';

/**
 * Count labels refresh up to 10 times a second per edge (a busy edge's label changes 10×/s, not
 * 60×), and at most MAX_UPDATES_PER_FRAME edges' labels change in one frame.
 */
const MAX_UPDATES_PER_FRAME = 40;
const flow = new FlowBuffer({
  countIntervalMs: 100,
  maxUpdatesPerFrame: MAX_UPDATES_PER_FRAME,
  // Moving packets are what costs a software-rastered canvas most: ~36 in flight at once.
  maxPacketsPerSecondTotal: 40,
});
const index = new SessionIndex();
const names = new Map<string, string>();
/** Work for runs being looked up, replayed in order once the run is known. */
const waiting = new Map<string, (() => void)[]>();
const foreign = new Set<string>();
let log = new Map<string, LogEntry>();
let nodes: Record<string, NodeLive> = {};
/** Nodes whose sent/received counts changed and are not yet published (oldest first). */
const countedNodes = new Set<string>();
let logs: RunnerLog[] = [];
let dirty = false;
let listsDirty = false;
let frame = 0;
type Frame = { events: readonly StreamEvent[]; lastSeq: number; traffic?: TrafficDigest };
/** While history replays, live frames wait here; historical messages draw no packets. */
let replaying: Frame[] | null = null;
/**
 * Counts resets: a replay still running when another workflow opens stops handling history
 * (the newer replay owns the state), so opening workflows in quick succession cannot leave
 * the log and counts empty or doubled.
 */
let epoch = 0;
let replayedTo = 0;
/** The seq of the newest live frame seen (held or handled): where live traffic picks up. */
let liveSeq: number | undefined;

const now = () => performance.now();

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(flushFrame);
}

/**
 * The log and inspector lists are for reading, not animation: refreshed at most twice a second
 * (once a second on a large workflow). Each refresh re-lays out and repaints the log and
 * re-layerises the page, the costliest frame a busy canvas has, and the larger the canvas the
 * costlier: at 5 a second they alone were one frame in twelve on 500 nodes.
 */
const LIST_INTERVAL_MS = 500;
const LARGE_LIST_INTERVAL_MS = 1_000;
let listsPublishedAt = -Infinity;

/**
 * Nodes' sent/received counts are published at most this often, up to NODE_COUNTS_PER_PUBLISH
 * nodes at a time: each publish copies the nodes' record (thousands of entries on a large
 * workflow), and counts need not move faster than the eye reads them (as edges' labels).
 */
const NODE_COUNT_INTERVAL_MS = 100;
const NODE_COUNTS_PER_PUBLISH = 200;
let nodeCountsPublishedAt = -Infinity;
/** Nodes replaced since the last publish (see publishLive). */
const changedNodes = new Set<string>();

/**
 * On a workflow with more than LARGE_EDGES edges the edges' flow publishes at most every
 * LARGE_FLUSH_MS (20 times a second): each publish copies the record of every edge's flow, and
 * packets starting up to a frame or two later show no difference.
 */
export const LARGE_EDGES = 1_000;
const LARGE_FLUSH_MS = 45;
let flowsFlushedAt = -Infinity;

function flushFrame(): void {
  frame = 0;
  const t = now();
  const live = useLive.getState();
  const patch: Partial<typeof live> = {};
  const changed: { flows?: readonly string[]; nodes?: Set<string> } = {};
  const large = useEditor.getState().edges.length > LARGE_EDGES;
  if (!large || t - flowsFlushedAt >= LARGE_FLUSH_MS) {
    // The frames this flush covers, for as many frames' worth of label refreshes.
    const frames = large ? Math.min(4, Math.max(1, Math.round((t - flowsFlushedAt) / 16.7))) : 1;
    flowsFlushedAt = t;
    const flows = flow.flush(live.flows, t, MAX_UPDATES_PER_FRAME * frames);
    if (flows !== live.flows) {
      patch.flows = flows;
      changed.flows = flow.changed;
    }
  }
  if (countedNodes.size > 0 && t - nodeCountsPublishedAt >= NODE_COUNT_INTERVAL_MS) {
    nodeCountsPublishedAt = t;
    let budget = NODE_COUNTS_PER_PUBLISH;
    for (const id of countedNodes) {
      if (budget-- <= 0) break;
      countedNodes.delete(id);
      const n = nodeOf(id);
      const c = counts.get(id);
      if (c && (c.sent !== n.sent || c.received !== n.received)) {
        nodes[id] = { ...n, sent: c.sent, received: c.received };
        changedNodes.add(id);
        dirty = true;
      }
    }
  }
  if (dirty) {
    patch.nodes = { ...nodes };
    changed.nodes = new Set(changedNodes);
    changedNodes.clear();
    dirty = false;
  }
  if (listsDirty && t - listsPublishedAt >= (large ? LARGE_LIST_INTERVAL_MS : LIST_INTERVAL_MS)) {
    patch.log = [...log.values()].slice(-LOG_LIMIT);
    if (logs.length > 400) logs.splice(0, logs.length - 200);
    patch.logs = logs.slice(-200);
    listsDirty = false;
    listsPublishedAt = t;
  }
  if (Object.keys(patch).length) publishLive(patch, changed);
  if (listsDirty || countedNodes.size > 0 || flow.busy()) schedule();
}

/** Edges with packets in flight in the published flows (what the packet layer draws). */
export const movingEdges = (): ReadonlySet<string> => flow.moving;

function nodeOf(id: string): NodeLive {
  return (nodes[id] ??= { status: 'initializing', error: null, sent: 0, received: 0 });
}

/** Replaces one node's entry (a new object, so only its component re-renders); published per frame. */
function touchNode(id: string, patch: Partial<NodeLive>): void {
  nodes[id] = { ...nodeOf(id), ...patch };
  changedNodes.add(id);
  dirty = true;
}

/** Exact sent/received counts per node; published a bounded number of nodes per frame. */
const counts = new Map<string, { sent: number; received: number }>();

function countNode(id: string, sent: number, received: number): void {
  let c = counts.get(id);
  if (!c) counts.set(id, (c = { sent: nodeOf(id).sent, received: nodeOf(id).received }));
  c.sent += sent;
  c.received += received;
  countedNodes.add(id);
}

function label(engineId: string | null): string | null {
  if (!engineId) return null;
  return index.toWorkflow(engineId) ?? names.get(engineId) ?? engineId;
}

/** Runs `work` now if `runId` is known (or null), else once the run has been looked up. */
function whenKnown(runId: string | null, work: () => void): boolean {
  if (!runId || index.hasRun(runId)) return true;
  const held = waiting.get(runId);
  if (held) held.push(work);
  else void learnRun(runId, work);
  return false;
}

async function learnRun(runId: string, first: () => void): Promise<void> {
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
  for (const work of held) work();
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

/** A run deleted here or by another client leaves the history. */
export function dropRun(runId: string): void {
  const runs = useLive.getState().runs;
  if (runs.some((r) => r.id === runId))
    useLive.setState({ runs: runs.filter((r) => r.id !== runId) });
}

export function upsertRun(run: Run): void {
  if (run.workflowId !== useEditor.getState().workflowId) return;
  const runs = useLive.getState().runs.filter((r) => r.id !== run.id);
  useLive.setState({ runs: [run, ...runs].sort((a, b) => b.createdAt - a.createdAt).slice(0, 50) });
}

/** The run a message belongs to, if it is the open workflow's (else null: not shown). */
function runOfMessage(runId: string | null, sender: string, receiver: string | null) {
  const run = runId ?? index.runOf(sender) ?? index.runOf(receiver);
  return run && !foreign.has(run) ? run : null;
}

/** `count` messages of `type` from `sender` to `receiver` (engine ids): counts, edge, packets. */
function travel(sender: string, receiver: string | null, type: MessageType, count: number): void {
  const from = index.toWorkflow(sender);
  const to = index.toWorkflow(receiver);
  if (from) countNode(from, count, 0);
  if (to) countNode(to, 0, count);
  const hit = findEdge(docOf(useEditor.getState()), from, to);
  if (type === 'ERROR') {
    // An ERROR report marks its sender and the edge it travels as failed.
    const name = label(sender) ?? sender;
    if (from) touchNode(from, { error: nodeOf(from).error ?? 'reported an ERROR' });
    if (hit)
      flow.fail(hit.edgeId, `ERROR from ${name}`, now(), hit.reverse, !replaying, true, count);
  } else if (hit) flow.record(hit.edgeId, hit.reverse, now(), !replaying, count);
}

/** A message for the log (the log keeps the newest LOG_LIMIT). */
function logMessage(m: StreamMessageSummary, run: string, at: number, state: LogEntry['state']) {
  log.set(m.id, {
    id: m.id,
    at,
    type: m.type,
    sender: label(m.sender) ?? m.sender,
    receiver: label(m.receiverId ?? m.receiver),
    runId: run,
    state,
    reason: null,
  });
  if (log.size > LOG_LIMIT * 2) log = new Map([...log].slice(-LOG_LIMIT));
  listsDirty = true;
}

function setState(id: string, state: LogEntry['state'], reason?: string): LogEntry | undefined {
  const entry = log.get(id);
  if (!entry) return undefined;
  log.set(id, { ...entry, state, reason: reason ?? entry.reason });
  listsDirty = true;
  return entry;
}

/** A digest's traffic: exact counts per route, sampled messages for the log. */
function handleTraffic(d: TrafficDigest): void {
  for (const [r, s, t, type, count] of d.routes) {
    const runId = d.runs[r] ?? null;
    const sender = d.names[s]!;
    const receiver = d.names[t] ?? null;
    const go = () => {
      const run = runOfMessage(runId, sender, receiver);
      if (run) travel(sender, receiver, type, count);
    };
    if (whenKnown(runId, go)) go();
  }
  for (const m of d.sample) {
    const go = () => sampled(m);
    if (whenKnown(m.runId, go)) go();
  }
  for (const [id, state] of d.states) setState(id, state);
}

function sampled(m: SampledMessage): void {
  const run = runOfMessage(m.runId, m.sender, m.receiverId ?? m.receiver);
  if (run) logMessage(m, run, m.at, m.state);
}

function handle(e: StreamEvent): void {
  const runId = 'runId' in e ? e.runId : null;
  if (!whenKnown(runId, () => handle(e))) return;
  const t = now();
  switch (e.kind) {
    case 'message.published': {
      const m = e.message;
      const receiver = m.receiverId ?? m.receiver;
      // The log and canvas show the open workflow's runs only.
      const run = runOfMessage(runId, m.sender, receiver);
      if (!run) break;
      logMessage(m, run, e.at, 'published');
      travel(m.sender, receiver, m.type, 1);
      break;
    }
    case 'message.delivered':
    case 'message.acknowledged':
      setState(e.id, e.kind === 'message.delivered' ? 'delivered' : 'acknowledged');
      break;
    case 'message.failed':
    case 'message.dead': {
      const state = e.kind === 'message.failed' ? 'failed' : 'dead';
      const entry = setState(e.id, state, e.reason);
      // The route: from the log, else from the event (a digest viewer may not have the message).
      const from = entry?.sender ?? index.toWorkflow(e.sender);
      const to = entry?.receiver ?? index.toWorkflow(e.receiver);
      if (!entry && !(e.sender && runOfMessage(runId, e.sender, e.receiver ?? null))) break;
      const hit = findEdge(docOf(useEditor.getState()), from, to);
      if (hit) flow.fail(hit.edgeId, e.reason, t, hit.reverse, !replaying);
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
      logs.push({ at: e.at, sessionId: id, engineId: e.sessionId, level: e.level, text: e.text });
      if (e.level === 'error') touchNode(id, { error: e.text });
      listsDirty = true;
      break;
    }
    case 'run.deleted':
      dropRun(e.runId);
      break;
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

/** One frame from the engine (the rpc client's events listener). */
export function handleEvents(
  events: readonly StreamEvent[],
  lastSeq?: number,
  traffic?: TrafficDigest,
): void {
  const frame: Frame = { events, lastSeq: lastSeq ?? events.at(-1)?.seq ?? 0, traffic };
  liveSeq = Math.max(liveSeq ?? 0, frame.lastSeq);
  if (replaying) replaying.push(frame);
  else handleFrame(frame);
}

function handleFrame(f: Frame): void {
  // A digest covers every seq after the previous frame, and replay ends at a frame boundary:
  // a frame's traffic is either all replayed already or all new. Traffic first: a failure
  // among the events may name a message sampled in it.
  if (f.traffic && f.lastSeq > replayedTo) handleTraffic(f.traffic);
  for (const e of f.events) if (e.seq > replayedTo) handle(e);
  schedule();
}

const REPLAY_PAGE = 5_000;
const REPLAY_MAX_PAGES = 20;

/**
 * Replays the stored event history so counts, statuses and the log survive a reload: up to
 * where the live subscription picked up (the newest frame's seq when replay starts), so live
 * frames held meanwhile add exactly what came after.
 */
export async function replayHistory(): Promise<void> {
  const at = epoch;
  // Frames held since the reset (resetLive starts holding) are part of what this replay covers.
  const held: Frame[] = replaying ?? [];
  replaying = held;
  for (let i = 0; i < 250 && liveSeq === undefined && epoch === at; i++) await sleep(20);
  const boundary = liveSeq;
  let seq = 0;
  try {
    for (let page = 0; page < REPLAY_MAX_PAGES && epoch === at; page++) {
      const result = await api().call('events.since', { seq, limit: REPLAY_PAGE });
      if (epoch !== at) break;
      const end = boundary ?? result.lastSeq;
      for (const e of result.events) if (e.seq <= end) handle(e);
      await settle();
      if (result.events.length === 0) break;
      seq = result.events[result.events.length - 1]!.seq;
      if (seq >= end) break;
    }
  } finally {
    if (epoch === at) {
      replayedTo = Math.max(replayedTo, boundary ?? seq);
      replaying = null;
      for (const frame of held) handleFrame(frame);
      schedule();
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until runs being looked up have been learnt (their held events handled). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50 && waiting.size > 0; i++) await sleep(20);
}

/**
 * Forget the canvas' live state (when another workflow opens). Live frames are held from now
 * until the history replay that follows (`replayFollows`) has caught up with them.
 */
export function resetLive(replayFollows = true): void {
  epoch++;
  replaying = replayFollows ? [] : null;
  flow.reset();
  index.clear();
  foreign.clear();
  log = new Map();
  nodes = {};
  counts.clear();
  countedNodes.clear();
  changedNodes.clear();
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
  for (const id of Object.keys(nodes)) {
    nodes[id] = { ...nodes[id]!, sent: 0, received: 0 };
    changedNodes.add(id);
  }
  counts.clear();
  countedNodes.clear();
  flow.reset();
  useLive.setState({ flows: {} });
  const t = now();
  for (const e of kept.values()) {
    if (doc.sessions.some((s) => s.id === e.sender)) countNode(e.sender, 1, 0);
    if (e.receiver && doc.sessions.some((s) => s.id === e.receiver)) countNode(e.receiver, 0, 1);
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
