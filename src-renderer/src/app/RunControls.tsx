/** Run input, Run and Stop, and the current run's status. */
import { useEffect, useState } from 'react';
import { DEFAULT_RUN_INPUT, setRunInput, useUi } from '../stores/ui';
import { docOf, useEditor } from '../stores/editor';
import { useLive } from '../stores/live';
import { startRun, stopRun } from './actions';
import { useDenied } from '../security/store';

export function RunControls() {
  const workflowId = useEditor((s) => s.workflowId);
  const empty = useEditor((s) => s.nodes.length === 0);
  const active = useLive((s) =>
    s.runs.find((r) => r.status === 'running' || r.status === 'pending'),
  );
  const latest = useLive((s) => s.runs[0]);
  const input = useUi((s) => s.runInput);
  const setInput = setRunInput;
  // A workflow may suggest its input (the shipped examples do, in settings.exampleInput).
  useEffect(() => {
    const example = docOf(useEditor.getState()).settings?.exampleInput;
    setInput(example === undefined ? DEFAULT_RUN_INPUT : JSON.stringify(example));
  }, [workflowId]);
  const [busy, setBusy] = useState(false);
  const deny = useDenied();
  const runRefused = deny('runs.start');
  const run = async () => {
    setBusy(true);
    await startRun(input);
    setBusy(false);
  };
  return (
    <div className="group run-controls" role="group" aria-label="Run">
      <input
        className="run-input"
        aria-label="Run input (JSON)"
        value={input}
        spellCheck={false}
        onChange={(e) => setInput(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Enter' && !runRefused && void run()}
      />
      <button
        className="primary"
        aria-label="Run"
        aria-keyshortcuts="Control+Enter Meta+Enter"
        disabled={!workflowId || empty || busy || !!runRefused}
        onClick={() => void run()}
        title={
          runRefused ??
          (empty ? 'Add sessions to the canvas first' : 'Start a run with this input (Ctrl+Enter)')
        }
      >
        ▶ Run
      </button>
      <button
        aria-label="Stop"
        disabled={!active || !!deny('runs.cancel')}
        title={deny('runs.cancel')}
        onClick={() => void stopRun()}
        className="danger"
      >
        ■ Stop
      </button>
      {latest && (
        <span
          className={`run-status ${latest.status}`}
          role="status"
          aria-label={`Run ${latest.status}`}
          title={latest.error ?? undefined}
        >
          {latest.status}
        </span>
      )}
    </div>
  );
}
