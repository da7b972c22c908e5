/** Runs of the open workflow, newest first; pick one to filter the message log. */
import { useLive } from '../stores/live';
import { dateTime } from './format';

export function RunHistory({ onPick }: { onPick: (runId: string) => void }) {
  const runs = useLive((s) => s.runs);
  if (runs.length === 0) {
    return <p className="hint pad">No runs yet. Press Run to start one.</p>;
  }
  return (
    <ul className="runs" aria-label="Run history">
      {runs.map((r) => (
        <li key={r.id} className="run">
          <button
            onClick={() => onPick(r.id)}
            aria-label={`Show messages of run ${r.id.slice(-8)}`}
          >
            <span className={`badge status-${r.status}`}>{r.status}</span>
            <span className="mono">{r.id.slice(-8)}</span>
            <span>{dateTime(r.startedAt ?? r.createdAt)}</span>
            <span>{r.startedAt && r.endedAt ? `${r.endedAt - r.startedAt} ms` : ''}</span>
            <span className="mono input">{JSON.stringify(r.input) ?? ''}</span>
            {r.error && <span className="error-text">{r.error}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
