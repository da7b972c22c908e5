/**
 * The stream after a crash. A message's events are written a turn after the commit that stored
 * it (the stream's own group commit), so a process killed in between leaves committed messages
 * the history never mentions: a UI replaying it would not show them. At the next start, the
 * newest messages are compared with the stream's last events and what is missing is added now:
 * `message.published`, then `message.acknowledged` or `message.dead` for one that got there; and
 * so are older messages acknowledged or dead-lettered in that window.
 */
import type { StreamEvent, StreamEventBody } from '../../../src-shared/stream';
import type { MessageHead, MessageStore } from '../store/port';
import { runIdIn } from '../runs/sessions';
import { summaryOf } from './feed';
import type { EventStream } from './index';

/** Messages created this long before the stream's last event are compared too (a slow commit). */
const SLACK_MS = 5_000;
/** At most this many of the newest messages are compared. */
const NEWEST = 10_000;
const PAGE = 10_000;
const MAX_WINDOW = 1_000_000;

const idOf = (e: StreamEvent): string | undefined =>
  e.kind === 'message.published' ? e.message.id : 'id' in e ? e.id : undefined;

/** The stream's events from `from` on (every page). */
async function eventsFrom(stream: EventStream, from: number): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for (let seq = from; ;) {
    const page = await stream.since(seq, PAGE);
    out.push(...page);
    if (page.length < PAGE) return out;
    seq = page[page.length - 1]!.seq;
  }
}

/**
 * The stream's newest events: a window that grows until its first event is SLACK_MS older than
 * its last (or it holds the whole stream, or MAX_WINDOW events).
 */
async function recentEvents(stream: EventStream): Promise<StreamEvent[]> {
  const last = stream.lastSeq();
  for (let span = PAGE; ; span *= 4) {
    const events = await eventsFrom(stream, Math.max(0, last - span));
    const covered = (events[0]?.at ?? 0) < (events.at(-1)?.at ?? 0) - SLACK_MS;
    if (covered || last - span <= 0 || span >= MAX_WINDOW) return events;
  }
}

function deadEvent(m: MessageHead): StreamEventBody {
  const reason = m.failureReason ?? 'dead-lettered';
  const receiver = m.receiverId ?? m.receiver;
  return {
    kind: 'message.dead',
    id: m.id,
    runId: runIdIn(m.metadata),
    reason,
    sender: m.sender,
    receiver,
  };
}

/** Adds the events the stream lost for messages committed just before a crash; how many messages. */
export async function backfillStream(
  stream: EventStream,
  messages: Pick<MessageStore, 'newest' | 'acknowledgedSince' | 'deadSince'>,
): Promise<number> {
  const recent = await recentEvents(stream);
  const seen = new Map<string, Set<string>>();
  for (const e of recent) {
    const id = idOf(e);
    if (id !== undefined) (seen.get(id) ?? seen.set(id, new Set()).get(id)!).add(e.kind);
  }
  // A message created at or after the window's first event has its events in the window if they
  // were ever written; older ones are left alone (never a second copy of an event).
  const cutoff =
    recent.length === 0 ? -Infinity : Math.max(recent.at(-1)!.at - SLACK_MS, recent[0]!.at);
  let added = 0;
  // Oldest first, so the history keeps the order the messages were stored in.
  for (const m of (await messages.newest(NEWEST)).reverse()) {
    if (m.timestamp < cutoff) continue;
    const kinds = seen.get(m.id) ?? new Set<string>();
    const runId = runIdIn(m.metadata);
    const missing: StreamEventBody[] = [];
    if (!kinds.has('message.published')) {
      missing.push({ kind: 'message.published', message: summaryOf(m, runId) });
    }
    if (m.state === 'acknowledged' && !kinds.has('message.acknowledged')) {
      missing.push({ kind: 'message.acknowledged', id: m.id, runId });
    }
    if (m.state === 'dead' && !kinds.has('message.dead')) missing.push(deadEvent(m));
    for (const event of missing) stream.push(event);
    if (missing.length > 0) added++;
  }
  // Older messages acknowledged or dead-lettered in the window: such an event is written after its
  // commit, so one that happened at or after the cutoff is in the window if it was ever written.
  if (cutoff > -Infinity) {
    for (const m of await messages.acknowledgedSince(cutoff, NEWEST)) {
      if (m.timestamp >= cutoff || seen.get(m.id)?.has('message.acknowledged')) continue;
      stream.push({ kind: 'message.acknowledged', id: m.id, runId: runIdIn(m.metadata) });
      added++;
    }
    for (const m of await messages.deadSince(cutoff, NEWEST)) {
      if (m.timestamp >= cutoff || seen.get(m.id)?.has('message.dead')) continue;
      stream.push(deadEvent(m));
      added++;
    }
  }
  if (added > 0) await stream.flush();
  return added;
}
