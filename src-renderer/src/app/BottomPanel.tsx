/**
 * The bottom panel: the message log (with filters) and the run history. Only the log table and
 * the tab's count subscribe to the log, so live traffic re-renders neither the tabs nor the
 * filters; the table renders only the rows in view.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { MESSAGE_TYPES } from '../../../src-shared/domain';
import { docOf, useEditor } from '../stores/editor';
import { useLive, type LogEntry } from '../stores/live';
import { setBottomTab, useUi } from '../stores/ui';
import { useCheckpoints } from '../stores/checkpoints';
import { rowWindow } from '../live/window';
import { CheckpointTimeline } from './Checkpoints';
import { RunHistory } from './RunHistory';
import { clockTime } from './format';

const short = (id: string) => id.slice(-8);
/** Fixed row height (px) for windowing; rows are one line (table.log td does not wrap). */
const ROW_HEIGHT = 22;
/** Rows rendered beyond the visible ones, each side (smooth scrolling, and small logs whole). */
const OVERSCAN = 20;

/** One log row; re-renders only when its entry (or the session names) change. */
const LogRow = memo(function LogRow(props: {
  entry: LogEntry;
  index: number;
  name: (id: string | null) => string;
}) {
  const m = props.entry;
  return (
    <tr
      className={`state-${m.state} type-${m.type}`}
      style={{ height: ROW_HEIGHT }}
      aria-rowindex={props.index + 2}
    >
      <td>{clockTime(m.at)}</td>
      <td>{m.type}</td>
      <td>{props.name(m.sender)}</td>
      <td>{props.name(m.receiver)}</td>
      <td title={m.reason ?? undefined}>{m.state}</td>
      <td className="mono">{m.runId ? short(m.runId) : '—'}</td>
    </tr>
  );
});

function LogCount() {
  return <span className="count">{useLive((s) => s.log.length)}</span>;
}

interface Filters {
  type: string;
  session: string;
  run: string;
}

/** The log, newest first, windowed: only the rows in view (plus OVERSCAN) are in the DOM. */
function LogTable({ filters, name }: { filters: Filters; name: (id: string | null) => string }) {
  const log = useLive((s) => s.log);
  const wrap = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 400 });
  const empty = log.length === 0;
  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [empty]);
  const { type, session, run } = filters;
  const rows = log
    .filter(
      (m) =>
        (!type || m.type === type) &&
        (!session || m.sender === session || m.receiver === session) &&
        (!run || m.runId === run),
    )
    .reverse();
  if (rows.length === 0) {
    return (
      <p className="hint pad">
        {empty
          ? 'No messages yet. Press Run to start the workflow; messages appear here as they travel.'
          : 'No messages match these filters.'}
      </p>
    );
  }
  const win = rowWindow(rows.length, ROW_HEIGHT, view.top, view.height, OVERSCAN);
  return (
    <div
      className="table-wrap"
      ref={wrap}
      onScroll={(e) =>
        setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })
      }
    >
      <div style={{ height: ROW_HEIGHT * (rows.length + 1) }}>
        <table
          className="log"
          aria-label="Message log"
          aria-rowcount={rows.length + 1}
          style={{ transform: `translateY(${win.before}px)` }}
        >
          <thead>
            <tr style={{ height: ROW_HEIGHT }}>
              <th>Time</th>
              <th>Type</th>
              <th>From</th>
              <th>To</th>
              <th>State</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(win.start, win.end).map((m, i) => (
              <LogRow key={m.id} entry={m} index={win.start + i} name={name} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function BottomPanel() {
  const tab = useUi((s) => s.bottomTab);
  const setTab = setBottomTab;
  const checkpointCount = useCheckpoints((s) => s.list.length);
  const [type, setType] = useState('');
  const [session, setSession] = useState('');
  const [run, setRun] = useState('');
  const runs = useLive((s) => s.runs);
  const sessions = useEditor((s) => docOf(s).sessions);
  const name = useMemo(() => {
    const names = new Map(sessions.map((s) => [s.id, s.name]));
    return (id: string | null) => (id ? (names.get(id) ?? id) : 'broadcast');
  }, [sessions]);
  return (
    <section className="bottom" aria-label="Messages and runs">
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'log'} onClick={() => setTab('log')}>
          Message log <LogCount />
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
        <LogTable filters={{ type, session, run }} name={name} />
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
