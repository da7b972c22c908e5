/** The bottom panel: the message log (with filters) and the run history. */
import { memo, useCallback, useState } from 'react';
import { MESSAGE_TYPES } from '../../../src-shared/domain';
import { docOf, useEditor } from '../stores/editor';
import { useLive, type LogEntry } from '../stores/live';
import { setBottomTab, useUi } from '../stores/ui';
import { useCheckpoints } from '../stores/checkpoints';
import { CheckpointTimeline } from './Checkpoints';
import { RunHistory } from './RunHistory';
import { clockTime } from './format';

const short = (id: string) => id.slice(-8);
/** Rows shown (newest first); the filters reach the whole kept log. */
const VISIBLE_ROWS = 100;

/** One log row; re-renders only when its entry (or the session names) change. */
const LogRow = memo(function LogRow(props: {
  entry: LogEntry;
  name: (id: string | null) => string;
}) {
  const m = props.entry;
  return (
    <tr className={`state-${m.state} type-${m.type}`}>
      <td>{clockTime(m.at)}</td>
      <td>{m.type}</td>
      <td>{props.name(m.sender)}</td>
      <td>{props.name(m.receiver)}</td>
      <td title={m.reason ?? undefined}>{m.state}</td>
      <td className="mono">{m.runId ? short(m.runId) : '—'}</td>
    </tr>
  );
});

export function BottomPanel() {
  const tab = useUi((s) => s.bottomTab);
  const setTab = setBottomTab;
  const checkpointCount = useCheckpoints((s) => s.list.length);
  const [type, setType] = useState('');
  const [session, setSession] = useState('');
  const [run, setRun] = useState('');
  const log = useLive((s) => s.log);
  const runs = useLive((s) => s.runs);
  const sessions = useEditor((s) => docOf(s).sessions);
  const name = useCallback(
    (id: string | null) => (id ? (sessions.find((s) => s.id === id)?.name ?? id) : 'broadcast'),
    [sessions],
  );
  const rows = log
    .filter(
      (m) =>
        (!type || m.type === type) &&
        (!session || m.sender === session || m.receiver === session) &&
        (!run || m.runId === run),
    )
    .slice(-VISIBLE_ROWS)
    .reverse();
  return (
    <section className="bottom" aria-label="Messages and runs">
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'log'} onClick={() => setTab('log')}>
          Message log <span className="count">{log.length}</span>
        </button>
        <button role="tab" aria-selected={tab === 'runs'} onClick={() => setTab('runs')}>
          Run history <span className="count">{runs.length}</span>
        </button>
        <button
          role="tab"
          aria-selected={tab === 'checkpoints'}
          onClick={() => setTab('checkpoints')}
        >
          Checkpoints <span className="count">{checkpointCount}</span>
        </button>
        {tab === 'log' && (
          <div className="filters" role="group" aria-label="Filters">
            <select
              aria-label="Filter by type"
              value={type}
              onChange={(e) => setType(e.currentTarget.value)}
            >
              <option value="">All types</option>
              {MESSAGE_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <select
              aria-label="Filter by session"
              value={session}
              onChange={(e) => setSession(e.currentTarget.value)}
            >
              <option value="">All sessions</option>
              {sessions.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
            <select
              aria-label="Filter by run"
              value={run}
              onChange={(e) => setRun(e.currentTarget.value)}
            >
              <option value="">All runs</option>
              {runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {short(r.id)} · {r.status}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {tab === 'log' ? (
        rows.length === 0 ? (
          <p className="hint pad">
            {log.length === 0
              ? 'No messages yet. Press Run to start the workflow; messages appear here as they travel.'
              : 'No messages match these filters.'}
          </p>
        ) : (
          <div className="table-wrap">
            <table className="log" aria-label="Message log">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Type</th>
                  <th>From</th>
                  <th>To</th>
                  <th>State</th>
                  <th>Run</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <LogRow key={m.id} entry={m} name={name} />
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : tab === 'checkpoints' ? (
        <CheckpointTimeline />
      ) : (
        <RunHistory
          onPick={(id) => {
            setRun(id);
            setTab('log');
          }}
        />
      )}
    </section>
  );
}
