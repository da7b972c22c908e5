/**
 * Turns engine events into stream events. Bus events after `published` carry only a message id,
 * so the run a message belongs to (metadata.runId) and its route are remembered from publish
 * until the message is acknowledged or dead; a failure names the route it was on.
 */
import type { TypedEmitter } from '../events';
import type { EngineEvents } from '../engine-events';
import type { StreamMessageSummary } from '../../../src-shared/stream';
import type { EventStream } from './index';

/** Beyond this many unfinished run messages the oldest lose their runId in later events. */
const MAX_TRACKED = 100_000;

interface Tracked {
  runId: string;
  sender: string;
  receiver: string | null;
}

/** What a `message.published` event tells of a message. */
export const summaryOf = (
  m: Omit<StreamMessageSummary, 'runId'>,
  runId: string | null,
): StreamMessageSummary => ({
  id: m.id,
  type: m.type,
  priority: m.priority,
  sender: m.sender,
  receiver: m.receiver,
  receiverId: m.receiverId,
  runId,
});

const routeOf = (t: Tracked | undefined) =>
  t ? { runId: t.runId, sender: t.sender, receiver: t.receiver } : { runId: null };

export function feedStream(events: TypedEmitter<EngineEvents>, stream: EventStream): () => void {
  const runOf = new Map<string, Tracked>();
  const runIdOf = (metadata: Record<string, unknown>): string | null =>
    typeof metadata.runId === 'string' ? metadata.runId : null;
  const offs = [
    events.on('session.created', (s) =>
      stream.push({
        kind: 'session.created',
        sessionId: s.id,
        name: s.name,
        runId: runIdOf(s.metadata),
      }),
    ),
    events.on('session.status', ({ session, from, to, reason }) =>
      stream.push({
        kind: 'session.status',
        sessionId: session.id,
        runId: runIdOf(session.metadata),
        from,
        to,
        reason,
      }),
    ),
    events.on('message.published', (m) => {
      const runId = runIdOf(m.metadata);
      if (runId !== null) {
        if (runOf.size >= MAX_TRACKED) runOf.delete(runOf.keys().next().value!);
        runOf.set(m.id, { runId, sender: m.sender, receiver: m.receiverId ?? m.receiver });
      }
      stream.push({ kind: 'message.published', message: summaryOf(m, runId) });
    }),
    events.on('message.delivered', (m) =>
      stream.push({ kind: 'message.delivered', id: m.id, runId: runIdOf(m.metadata) }),
    ),
    events.on('message.acknowledged', ({ id }) => {
      const runId = runOf.get(id)?.runId ?? null;
      runOf.delete(id);
      stream.push({ kind: 'message.acknowledged', id, runId });
    }),
    events.on('message.failed', ({ id, reason }) =>
      stream.push({ kind: 'message.failed', id, reason, ...routeOf(runOf.get(id)) }),
    ),
    events.on('message.dead', ({ id, reason }) => {
      const tracked = runOf.get(id);
      runOf.delete(id);
      stream.push({ kind: 'message.dead', id, reason, ...routeOf(tracked) });
    }),
    events.on('run.status', (run) =>
      stream.push({ kind: 'run.status', runId: run.id, status: run.status, error: run.error }),
    ),
    events.on('run.deleted', ({ runId }) => stream.push({ kind: 'run.deleted', runId })),
    events.on('runner.log', (log) => stream.push({ kind: 'runner.log', ...log })),
    events.on('permission.requested', (r) =>
      stream.push({
        kind: 'permission.requested',
        requestId: r.requestId,
        runId: r.runId,
        sessionId: r.sessionId,
        request: r.kind,
        toolName: r.toolName,
        question: r.question,
      }),
    ),
    events.on('permission.resolved', (r) =>
      stream.push({
        kind: 'permission.resolved',
        requestId: r.requestId,
        runId: r.runId,
        sessionId: r.sessionId,
        outcome: r.outcome,
      }),
    ),
  ];
  return () => offs.forEach((off) => off());
}
