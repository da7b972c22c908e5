/** The import flow's panels: the problems list, the name-clash question, "Trust and run". */
import { startRun } from './actions';
import { Modal } from './Modal';
import {
  dismissProblems,
  dismissTrust,
  pickProblem,
  resolveClash,
  trustAndRun,
  useFiles,
  valueAtPointer,
} from '../stores/files';
import { useUi } from '../stores/ui';

export function FileDialogs() {
  return (
    <>
      <ProblemList />
      <ClashDialog />
      <TrustDialog />
    </>
  );
}

function ProblemList() {
  const report = useFiles((s) => s.problems);
  if (!report) return null;
  const picked = report.picked === null ? null : report.problems[report.picked];
  const shown = picked ? nearestValue(report.doc, picked.path) : undefined;
  return (
    <section className="problems" role="region" aria-label="Problems in the file">
      <header>
        <strong>
          {report.fileName} was not imported: {report.problems.length} problem
          {report.problems.length === 1 ? '' : 's'}
        </strong>
        <button aria-label="Close the problems list" onClick={dismissProblems}>
          ×
        </button>
      </header>
      <ol>
        {report.problems.map((p, i) => (
          <li key={`${p.path}-${i}`}>
            <button
              className={i === report.picked ? 'picked' : undefined}
              aria-current={i === report.picked ? 'true' : undefined}
              onClick={() => pickProblem(i)}
              title={
                p.sessionId
                  ? `Select session ${p.sessionId}`
                  : p.edgeId
                    ? `Select edge ${p.edgeId}`
                    : 'Show this part of the file'
              }
            >
              <span className="mono path">{p.path || '/'}</span>
              <span>{p.message}</span>
              {(p.sessionId || p.edgeId) && (
                <span className="target">
                  {p.sessionId ? `session ${p.sessionId}` : `edge ${p.edgeId}`}
                </span>
              )}
            </button>
          </li>
        ))}
      </ol>
      {picked && shown !== undefined && (
        <pre className="excerpt" aria-label="In the file">
          {JSON.stringify(shown, null, 2)?.slice(0, 2000)}
        </pre>
      )}
    </section>
  );
}

/** The value at the pointer, or at its nearest parent that exists (a missing field's object). */
function nearestValue(doc: unknown, pointer: string): unknown {
  if (doc === null || doc === undefined) return undefined;
  for (let at = pointer; ; at = at.slice(0, at.lastIndexOf('/'))) {
    const value = valueAtPointer(doc, at);
    if (value !== undefined || at === '') return value;
  }
}

function ClashDialog() {
  const clash = useFiles((s) => s.clash);
  if (!clash) return null;
  return (
    <Modal title="A workflow with this name exists" onClose={() => resolveClash('cancel')}>
      <p>
        <strong>{clash.name}</strong> is already in the app. Import {clash.fileName} as a copy named{' '}
        <strong>{clash.suggestedName}</strong>, or replace the existing workflow with the file?
      </p>
      <div className="actions">
        <button className="primary" data-autofocus onClick={() => resolveClash('rename')}>
          Rename
        </button>
        <button className="danger" onClick={() => resolveClash('replace')}>
          Replace
        </button>
        <button onClick={() => resolveClash('cancel')}>Cancel</button>
      </div>
    </Modal>
  );
}

function TrustDialog() {
  const q = useFiles((s) => s.trust);
  const busy = useFiles((s) => s.busy);
  if (!q) return null;
  const executes = q.whatItRuns.filter((w) => w.executes).length;
  return (
    <Modal title="What this workflow would run" onClose={dismissTrust} wide>
      <p>
        {q.reason === 'imported'
          ? `"${q.name}" was imported. Nothing has run. `
          : `"${q.name}" came from a file and is not trusted yet. `}
        {executes > 0
          ? `${executes} session(s) run code or commands on this machine. Check them before you trust the workflow.`
          : 'No session runs code or commands on this machine.'}
      </p>
      {q.migratedFrom !== undefined && (
        <p className="hint">The file was format version {q.migratedFrom}; it was migrated.</p>
      )}
      {q.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {q.warnings.map((w, i) => (
            <li key={i}>
              {w.path ? <span className="mono">{w.path}: </span> : null}
              {w.message}
            </li>
          ))}
        </ul>
      )}
      <ul className="what-it-runs" aria-label="What it would run">
        {q.whatItRuns.map((w) => (
          <li key={w.sessionId} className={w.executes ? 'executes' : undefined}>
            <div>
              <strong>{w.sessionName}</strong>{' '}
              <span className="hint">
                ({w.sessionType}, {w.kind})
              </span>
              {w.executes && <span className="badge warn">runs on this machine</span>}
            </div>
            <div>{w.summary}</div>
            {w.workspace && <div className="hint">in {w.workspace}</div>}
            {w.env && <div className="hint">sets environment: {w.env.join(', ')}</div>}
            {w.excerpt && <pre className="excerpt">{w.excerpt}</pre>}
          </li>
        ))}
      </ul>
      <p className="hint mono" title="Trust is remembered for exactly this content">
        content {q.contentHash.slice(0, 16)}…
      </p>
      <div className="actions">
        <button
          className="primary"
          disabled={busy}
          onClick={() => void trustAndRun(() => startRun(useUi.getState().runInput))}
        >
          Trust and run
        </button>
        <button onClick={dismissTrust}>Not now</button>
      </div>
    </Modal>
  );
}
