/** The requests one session waits on: what it wants, since when, and Allow / Deny / Answer. */
import { useEffect, useId, useState } from 'react';
import { errorText } from '../api';
import type { PermissionRequest } from '../agents/types';
import { clockTime } from '../app/format';
import { waitedFor } from './decide';
import { answer, usePermissions } from './store';

export function PermissionRequests({ engineId }: { engineId: string }) {
  const requests = usePermissions((s) => s.requests);
  const mine = requests.filter((r) => r.sessionId === engineId);
  if (mine.length === 0) return null;
  return (
    <section className="inspector-block needs-you" aria-label="Waiting for you">
      <h3>
        Waiting for you <span className="count">{mine.length}</span>
      </h3>
      {mine.map((r) => (
        <RequestCard key={r.requestId} request={r} />
      ))}
    </section>
  );
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

function RequestCard({ request: r }: { request: PermissionRequest }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1000);
  const textId = useId();
  const send = async (decision: 'allow' | 'deny') => {
    setBusy(true);
    setError(null);
    try {
      const message = text.trim();
      await answer({ requestId: r.requestId, decision, ...(message ? { message } : {}) });
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  const label = r.kind === 'question' ? 'Question' : `Tool: ${r.toolName ?? 'unknown'}`;
  return (
    <article className="request" aria-label={`Request: ${label}`}>
      <header>
        <strong>{label}</strong>
        <span className="hint">
          since <time dateTime={new Date(r.since).toISOString()}>{clockTime(r.since)}</time> (
          {waitedFor(r.since, now)})
        </span>
      </header>
      {r.question && <p className="question">{r.question}</p>}
      {r.kind === 'tool' && (
        <pre className="content" aria-label="Tool input">
          {JSON.stringify(r.input, null, 2)}
        </pre>
      )}
      <label htmlFor={textId}>
        {r.kind === 'question' ? 'Your answer' : 'Message to the agent (optional)'}
      </label>
      <textarea
        id={textId}
        aria-label="Answer"
        rows={2}
        value={text}
        placeholder={r.kind === 'question' ? 'Type your answer' : 'Why you deny, or a hint'}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send('allow');
        }}
      />
      <div className="row actions">
        <button className="primary" disabled={busy} onClick={() => void send('allow')}>
          Allow
        </button>
        <button className="danger" disabled={busy} onClick={() => void send('deny')}>
          Deny
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
