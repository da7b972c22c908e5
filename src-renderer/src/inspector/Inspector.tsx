/** The session inspector: status and history, runner, workspace, mailboxes, logs, timings. */
import { docOf, useEditor } from '../stores/editor';
import { logsOf, useLive } from '../stores/live';
import { Answer, Compose, type Peer } from './Compose';
import { MessageList } from './MessageList';
import { useSessionData, type SessionData } from './useSessionData';
import type { Message } from '../../../src-shared/types';
import { DIRECTOR_TO_DEPARTMENT } from '../../../src-shared/domain';
import { clockTime } from '../app/format';
import { DiffViewer } from '../agents/DiffViewer';
import { UsagePanel } from '../agents/UsagePanel';
import { PermissionRequests } from '../notifications/PermissionRequests';
import { usePermissions } from '../notifications/store';

const time = clockTime;

export function Inspector({ sessionId }: { sessionId: string }) {
  const session = useEditor((s) => docOf(s).sessions.find((x) => x.id === sessionId));
  const sessions = useEditor((s) => docOf(s).sessions);
  const hasRepository = useEditor((s) => docOf(s).repository !== undefined);
  const live = useLive((s) => s.nodes[sessionId]);
  const needsYou = usePermissions((s) => s.byNode[sessionId] ?? 0) > 0;
  const run = useLive((s) => s.runs.find((r) => r.sessions[sessionId]));
  const logs = useLive((s) => s.logs);
  const [data, refresh] = useSessionData(sessionId);
  if (!session) return null;
  // The inspected run's lines only: a run before it has sessions (and logs) of its own.
  const mine = logsOf(logs, sessionId, run?.sessions[sessionId]).slice(-50);
  const peers: Peer[] = sessions
    .filter((s) => s.id !== sessionId && run?.sessions[s.id])
    .map((s) => ({ engineId: run!.sessions[s.id]!, name: s.name, type: s.type }));
  const status = data.session?.status ?? live?.status ?? 'not running';
  const waiting = waitingFor(data, run?.status === 'running' || run?.status === 'pending');
  const agents = sessions.some((s) => s.runner?.kind === 'claude-code');
  return (
    <section className="panel inspector" aria-label={`Inspector: ${session.name}`}>
      <h2>
        {session.type}: {session.name}
      </h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${status}`}>{status}</span>
          {needsYou && <span className="badge warn">waiting for you</span>}
        </dd>
        <dt>Runner</dt>
        <dd>{session.runner?.kind ?? 'none'}</dd>
        <dt>Workspace</dt>
        <dd>{data.session?.workspace ?? session.workspace ?? '—'}</dd>
        <dt>Engine id</dt>
        <dd className="mono">{data.engineId ?? '—'}</dd>
        <dt>Created</dt>
        <dd>{time(data.session?.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{time(data.session?.updatedAt)}</dd>
        <dt>Heartbeat</dt>
        <dd>{time(data.session?.lastHeartbeatAt)}</dd>
        {run && (
          <>
            <dt>Run</dt>
            <dd>
              {run.status} · {time(run.startedAt)} → {time(run.endedAt)}
              {run.startedAt && run.endedAt ? ` (${run.endedAt - run.startedAt} ms)` : ''}
            </dd>
          </>
        )}
        {(data.session?.error || live?.error) && (
          <>
            <dt>Error</dt>
            <dd className="error-text">{data.session?.error ?? live?.error}</dd>
          </>
        )}
      </dl>
      {!data.engineId && (
        <p className="hint">Press Run to start this workflow; its live sessions appear here.</p>
      )}
      {data.error && <p className="error-text">{data.error}</p>}
      {data.engineId && <PermissionRequests engineId={data.engineId} />}
      {run && data.engineId && hasRepository && session.type === 'department' && (
        <DiffViewer
          key={`${run.id}:${data.engineId}`}
          department={{ runId: run.id, sessionId: data.engineId }}
          name={session.name}
          reloadKey={`${status}:${run.status}`}
        />
      )}
      {run && agents && session.type !== 'observer' && (
        <UsagePanel run={run} sessions={sessions} sessionId={sessionId} />
      )}
      {data.history.length > 0 && (
        <section className="inspector-block" aria-label="Status history">
          <h3>Status history</h3>
          <ol className="history">
            {data.history.map((h, i) => (
              <li key={i}>
                <time>{time(h.at)}</time> {h.kind === 'status' ? `${h.from} → ${h.to}` : h.kind}
                {h.reason && <span className="hint"> · {h.reason}</span>}
              </li>
            ))}
          </ol>
        </section>
      )}
      {session.runner?.kind === 'manual' && waiting.length > 0 && (
        <section className="inspector-block" aria-label="Waiting for an answer">
          <h3>Waiting for your answer</h3>
          {waiting.map((m) => (
            <div key={m.id} className="waiting">
              <pre className="content">{JSON.stringify(m.content, null, 2)}</pre>
              <Answer messageId={m.id} onDone={refresh} />
            </div>
          ))}
        </section>
      )}
      <MessageList title="Inbox" messages={data.inbox} empty="No messages received yet." />
      <MessageList title="Outbox" messages={data.outbox} empty="No messages sent yet." />
      <section className="inspector-block" aria-label="Logs">
        <h3>Logs</h3>
        {mine.length === 0 ? (
          <p className="hint">No log lines yet.</p>
        ) : (
          <ol className="logs">
            {mine.map((l, i) => (
              <li key={i} className={`log-${l.level}`}>
                <time>{time(l.at)}</time> {l.text}
              </li>
            ))}
          </ol>
        )}
      </section>
      {data.engineId && <Compose sender={data.engineId} type={session.type} peers={peers} />}
    </section>
  );
}

/**
 * What a manual session still owes an answer to: while its run goes and it is active, the
 * director's messages it has not replied to (no outbox message correlated with them).
 */
function waitingFor(data: SessionData, running: boolean): Message[] {
  if (!running || data.session?.status !== 'active') return [];
  const answered = new Set(data.outbox.map((m) => m.metadata.correlationId).filter(Boolean));
  return data.inbox.filter(
    (m) => !answered.has(m.id) && (DIRECTOR_TO_DEPARTMENT as readonly string[]).includes(m.type),
  );
}
