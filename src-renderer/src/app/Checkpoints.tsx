/**
 * The checkpoint timeline (beside the run, in the bottom panel) and its dialogs: Create
 * checkpoint (name), Restore (what will change), Compare (a diff list), Fork (where it went).
 */
import { useEffect, useState } from 'react';
import type { CheckpointInfo } from '../../../src-shared/contract';
import {
  askRestore,
  cancelRestore,
  closeComparison,
  closeCreate,
  closeFork,
  comparePicked,
  confirmRestore,
  createCheckpoint,
  deleteCheckpoint,
  dismissLastRestore,
  forkCheckpoint,
  loadCheckpoints,
  togglePick,
  useCheckpoints,
} from '../stores/checkpoints';
import { clockTime, dateTime } from './format';
import { Modal } from './Modal';
import { plural } from '../../../src-shared/text';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function counts(c: CheckpointInfo): string {
  const s = c.summary;
  const parts = [plural(s.sessions ?? 0, 'session'), plural(s.messages ?? 0, 'message')];
  if (s.runs) parts.push(plural(s.runs, 'run'));
  return parts.join(' · ');
}

export function CheckpointTimeline() {
  const list = useCheckpoints((s) => s.list);
  const loaded = useCheckpoints((s) => s.loaded);
  const error = useCheckpoints((s) => s.error);
  const picked = useCheckpoints((s) => s.picked);
  const last = useCheckpoints((s) => s.lastRestore);
  useEffect(() => {
    void loadCheckpoints();
  }, []);
  const undo = last?.preRestoreCheckpointId
    ? list.find((c) => c.id === last.preRestoreCheckpointId)
    : undefined;
  return (
    <div className="checkpoints">
      {last && (
        <div className="restored" role="status" aria-label="Last restore">
          <div className="restored-text">
            Restored <strong>{last.name}</strong>: {last.restored.sessions} sessions,{' '}
            {last.restored.messages} messages, {last.restored.runs} runs.
            {last.warnings.length > 0 && (
              <details className="restore-warnings">
                <summary>
                  {last.warnings.length} warning{last.warnings.length === 1 ? '' : 's'}
                </summary>
                <ul>
                  {last.warnings.map((w, i) => (
                    <li key={i}>{w}</li>
                  ))}
                </ul>
              </details>
            )}
          </div>
          {undo && (
            <button onClick={() => void askRestore(undo.id)} title={undo.name}>
              Undo restore
            </button>
          )}
          <button aria-label="Dismiss" onClick={dismissLastRestore}>
            ×
          </button>
        </div>
      )}
      <div className="timeline-bar">
        <span className="hint">
          {picked.length === 2
            ? 'Two checkpoints picked.'
            : 'Pick two checkpoints to compare them.'}
        </span>
        <button disabled={picked.length !== 2} onClick={() => void comparePicked()}>
          Compare
        </button>
        <button onClick={() => void loadCheckpoints()} aria-label="Refresh checkpoints">
          ↻
        </button>
      </div>
      {error && <p className="error-text pad">{error}</p>}
      {loaded && list.length === 0 ? (
        <p className="hint pad">
          No checkpoints yet. Press Create checkpoint to save the whole orchestration (sessions,
          messages, runs, workflows); restore it later to go back.
        </p>
      ) : (
        <ol className="timeline" aria-label="Checkpoint timeline">
          {list.map((c) => (
            <li
              key={c.id}
              className={`checkpoint ${c.automatic ? 'auto' : 'named'}`}
              aria-label={`Checkpoint ${c.name}`}
            >
              <input
                type="checkbox"
                aria-label={`Pick ${c.name} to compare`}
                checked={picked.includes(c.id)}
                onChange={() => togglePick(c.id)}
              />
              <span className={`badge ${c.automatic ? 'auto' : 'named'}`}>
                {c.tags.includes('pre-restore') ? 'before restore' : c.automatic ? 'auto' : 'named'}
              </span>
              <span className="name" title={c.description ?? undefined}>
                {c.name}
              </span>
              <span className="hint">{dateTime(c.createdAt)}</span>
              <span className="hint">{formatBytes(c.sizeBytes)}</span>
              <span className="hint">{counts(c)}</span>
              <span className="entry-actions">
                <button onClick={() => void askRestore(c.id)}>Restore</button>
                <button
                  onClick={() => void forkCheckpoint(c.id)}
                  title="Write this checkpoint's state to a new database beside this one"
                >
                  Fork
                </button>
                <button
                  aria-label={`Delete checkpoint ${c.name}`}
                  title="Delete this checkpoint"
                  onClick={() => {
                    if (window.confirm(`Delete the checkpoint "${c.name}"?`)) {
                      void deleteCheckpoint(c.id);
                    }
                  }}
                >
                  ×
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function CheckpointDialogs() {
  return (
    <>
      <CreateDialog />
      <RestoreDialog />
      <CompareDialog />
      <ForkDialog />
    </>
  );
}

/** Named by the time as the message log shows it, so the two read alike. */
const defaultName = () => `Checkpoint ${clockTime(Date.now())}`;

function CreateDialog() {
  const open = useCheckpoints((s) => s.creating);
  const [name, setName] = useState('');
  useEffect(() => {
    if (open) setName(defaultName());
  }, [open]);
  if (!open) return null;
  const submit = () => {
    if (name.trim()) void createCheckpoint(name.trim());
  };
  return (
    <Modal title="Create checkpoint" onClose={closeCreate}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span>Checkpoint name</span>
          <input
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.currentTarget.value)}
            onFocus={(e) => e.currentTarget.select()}
          />
        </label>
        <p className="hint">
          Saves every session, every unacknowledged message, the runs and the workflows.
        </p>
        <div className="actions">
          <button type="submit" className="primary" disabled={!name.trim()}>
            Create
          </button>
          <button type="button" onClick={closeCreate}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function RestoreDialog() {
  const q = useCheckpoints((s) => s.confirm);
  const restoring = useCheckpoints((s) => s.restoring);
  if (!q) return null;
  const p = q.preview;
  return (
    <Modal title={`Restore "${q.checkpoint.name}"?`} onClose={cancelRestore} wide>
      <p>
        The whole orchestration goes back to {dateTime(q.checkpoint.createdAt)}. The current state
        is saved first as an automatic checkpoint, so you can undo this.
      </p>
      {q.error && (
        <p className="error-text" role="alert">
          {q.error}
        </p>
      )}
      {!p && !q.error && <p className="hint">Working out what will change…</p>}
      {p && p.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {p.warnings.map((warning, i) => (
            <li key={i}>{warning}</li>
          ))}
        </ul>
      )}
      {p && (
        <ul className="changes" aria-label="What will change">
          {p.lines.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button
          className="primary danger-fill"
          disabled={!p || restoring}
          onClick={() => void confirmRestore()}
        >
          {restoring ? 'Restoring…' : 'Restore'}
        </button>
        <button onClick={cancelRestore}>Cancel</button>
      </div>
    </Modal>
  );
}

function CompareDialog() {
  const c = useCheckpoints((s) => s.comparison);
  const list = useCheckpoints((s) => s.list);
  if (!c) return null;
  const name = (id: string) => list.find((x) => x.id === id)?.name ?? id;
  const { lines } = c;
  return (
    <Modal title="Compare checkpoints" onClose={closeComparison} wide>
      <p>
        From <strong>{name(c.from)}</strong> to <strong>{name(c.to)}</strong>:
      </p>
      {lines.length === 0 ? (
        <p className="hint">Nothing changed.</p>
      ) : (
        <ul className="changes" aria-label="Differences">
          {lines.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button className="primary" onClick={closeComparison}>
          Close
        </button>
      </div>
    </Modal>
  );
}

function ForkDialog() {
  const f = useCheckpoints((s) => s.fork);
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [f]);
  if (!f) return null;
  const serve = `npx orchestration serve --db "${f.databasePath}"`;
  return (
    <Modal title="Forked" onClose={closeFork}>
      <p>
        The checkpoint&apos;s state ({f.sessions} sessions, {f.messages} messages to deliver,{' '}
        {f.history} acknowledged before it) is now a separate database beside this one; this
        timeline is unchanged:
      </p>
      <pre className="excerpt" aria-label="Forked database">
        {f.databasePath}
      </pre>
      <p>Open it beside this window, in browser mode:</p>
      <pre className="excerpt" aria-label="Command to open the fork">
        {serve}
      </pre>
      <p className="hint">
        Or start the desktop app with <span className="mono">ORCHESTRATION_DB</span> set to its
        path. Runs that were live in it are marked interrupted when it opens, ready to resume.
      </p>
      <div className="actions">
        <button className="primary" onClick={closeFork}>
          Close
        </button>
        <button
          onClick={() =>
            void navigator.clipboard.writeText(serve).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy command'}
        </button>
      </div>
    </Modal>
  );
}
