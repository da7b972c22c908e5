/**
 * Runs of the open workflow, newest first; pick one to filter the message log. A run whose engine
 * stopped mid-way (or that a checkpoint restore caught running) is `interrupted` and offers Resume.
 */
import { useState } from 'react';
import type { Run } from '../../../src-shared/workflow';
import { api, errorText } from '../api';
import { dropRun, noteRun } from '../live/controller';
import { setNotice } from '../stores/editor';
import { useLive } from '../stores/live';
import { dateTime } from './format';

async function resumeRun(id: string): Promise<void> {
  try {
    noteRun(await api().call('runs.resume', { id }));
  } catch (error) {
    setNotice(`Could not resume the run: ${errorText(error)}`);
  }
}

async function deleteRun(id: string): Promise<void> {
  try {
    await api().call('runs.delete', { id });
    dropRun(id);
  } catch (error) {
    setNotice(`Could not delete the run: ${errorText(error)}`);
  }
}

function ResumeButton({ run }: { run: Run }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      className="primary"
      disabled={busy}
      aria-label={`Resume run ${run.id.slice(-8)}`}
      title="Carry on where the run stopped: unanswered work is handed out again"
      onClick={() => {
        setBusy(true);
        void resumeRun(run.id).finally(() => setBusy(false));
      }}
    >
      {busy ? 'Resuming…' : 'Resume'}
    </button>
  );
}

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
          {r.status === 'interrupted' && <ResumeButton run={r} />}
          {r.status !== 'pending' && r.status !== 'running' && (
            <button
              aria-label={`Delete run ${r.id.slice(-8)}`}
              title="Delete this run and its worktrees (branches with unmerged work are kept)"
              onClick={() => {
                if (window.confirm(`Delete run ${r.id.slice(-8)} and its worktrees?`)) {
                  void deleteRun(r.id);
                }
              }}
            >
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
