/**
 * A department's changes against the run's base (files, hunks), with Merge and Discard, the
 * merge's outcome (conflicting files as an alert: nothing is forced) and the git commands run.
 */
import { useCallback, useEffect, useState } from 'react';
import './agents.css';
import { errorText } from '../api';
import { clockTime } from '../app/format';
import {
  workspaceCommands,
  workspaceDiff,
  workspaceDiscard,
  workspaceMerge,
  type DepartmentRef,
} from './calls';
import {
  commandLine,
  describeTotals,
  diffTotals,
  fileLabel,
  formatCounts,
  numberLines,
} from './diff';
import type { DiffFile, GitCommand, MergeResult } from './types';

/** Files shown open at first; more stay folded so a big diff does not flood the panel. */
const OPEN_FILES = 8;
/** Lines drawn per file before a "show all" (a generated file can have tens of thousands). */
const LINES_PER_FILE = 400;

type Load =
  { state: 'loading' } | { state: 'ok'; files: DiffFile[] } | { state: 'error'; text: string };

export function DiffViewer({
  department,
  name,
  reloadKey,
}: {
  department: DepartmentRef;
  name: string;
  /** Changes when the diff may have changed (the department's status, the run's). */
  reloadKey: string;
}) {
  const { runId, sessionId } = department;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [busy, setBusy] = useState<'merge' | 'discard' | null>(null);
  const [merge, setMerge] = useState<MergeResult | null>(null);
  const [discarded, setDiscarded] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stop = false;
    workspaceDiff({ runId, sessionId }).then(
      (files) => !stop && setLoad({ state: 'ok', files }),
      (error: unknown) => !stop && setLoad({ state: 'error', text: errorText(error) }),
    );
    return () => {
      stop = true;
    };
  }, [runId, sessionId, reloadKey, tick]);

  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const doMerge = async () => {
    setBusy('merge');
    setActionError(null);
    try {
      setMerge(await workspaceMerge({ runId, sessionId }));
      refresh();
    } catch (error) {
      setActionError(errorText(error));
    } finally {
      setBusy(null);
    }
  };
  const doDiscard = async () => {
    setConfirming(false);
    setBusy('discard');
    setActionError(null);
    try {
      await workspaceDiscard({ runId, sessionId });
      setDiscarded(true);
      setMerge(null);
    } catch (error) {
      setActionError(errorText(error));
    } finally {
      setBusy(null);
    }
  };

  const files = load.state === 'ok' ? load.files : [];
  const totals = diffTotals(files);
  return (
    <section className="inspector-block dept-changes" aria-label="Changes">
      <h3>
        Changes{' '}
        {load.state === 'ok' && !discarded && (
          <span className="count" aria-label={`Changes: ${describeTotals(totals)}`}>
            {describeTotals(totals)}
          </span>
        )}
        <button
          className="small"
          onClick={refresh}
          aria-label="Refresh changes"
          title="Reload the diff"
        >
          ↻
        </button>
      </h3>
      {discarded ? (
        <p className="hint" role="status">
          {name}&apos;s worktree and branch were discarded.
        </p>
      ) : load.state === 'loading' ? (
        <p className="hint" role="status">
          Loading the diff…
        </p>
      ) : load.state === 'error' ? (
        <p className="error-text">{load.text}</p>
      ) : files.length === 0 ? (
        <p className="hint">No changes against the base branch yet.</p>
      ) : (
        <ul className="diff-files" aria-label="Changed files">
          {files.map((f, i) => (
            <li key={f.path}>
              <FileDiff file={f} open={i < OPEN_FILES} />
            </li>
          ))}
        </ul>
      )}
      {merge && <MergeOutcome result={merge} />}
      {actionError && (
        <p className="error-text" role="alert">
          {actionError}
        </p>
      )}
      {!discarded && load.state === 'ok' && (
        <div className="row actions">
          <button
            className="primary"
            disabled={busy !== null || files.length === 0 || merge?.merged === true}
            title="Merge this department's branch into the base (or integration) branch; a conflict is reported, never forced"
            onClick={() => void doMerge()}
          >
            {busy === 'merge' ? 'Merging…' : 'Merge'}
          </button>
          <button className="danger" disabled={busy !== null} onClick={() => setConfirming(true)}>
            {busy === 'discard' ? 'Discarding…' : 'Discard'}
          </button>
        </div>
      )}
      {confirming && (
        <div className="confirm" role="alertdialog" aria-label="Discard changes?">
          <p>
            Discard {name}&apos;s worktree and its branch? Its changes are deleted; this cannot be
            undone.
          </p>
          <div className="row">
            <button className="danger" autoFocus onClick={() => void doDiscard()}>
              Discard changes
            </button>
            <button onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        </div>
      )}
      <GitCommands department={department} reloadKey={`${reloadKey}:${tick}:${busy}`} />
    </section>
  );
}

function MergeOutcome({ result }: { result: MergeResult }) {
  if (result.merged) {
    return (
      <p className="merge-ok" role="status">
        Merged into {result.into}
        {result.fastForward ? ' (fast-forward)' : ''}
        {result.commit ? ` at ${result.commit.slice(0, 10)}` : ''}.
      </p>
    );
  }
  const files = result.conflicts ?? [];
  return (
    <div className="merge-conflict" role="alert">
      <strong>Merge conflict: nothing was merged into {result.into}.</strong>
      {files.length > 0 ? (
        <>
          <span> These files conflict:</span>
          <ul>
            {files.map((f) => (
              <li key={f} className="mono">
                {f}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <span> Git reported a conflict without naming files.</span>
      )}
    </div>
  );
}

function FileDiff({ file, open }: { file: DiffFile; open: boolean }) {
  const [all, setAll] = useState(false);
  let budget = all ? Infinity : LINES_PER_FILE;
  const total = file.hunks.reduce((n, h) => n + h.lines.length, 0);
  return (
    <details className="diff-file" open={open}>
      <summary>
        <span className={`file-status status-${file.status}`}>{file.status}</span>{' '}
        <span className="mono">{fileLabel(file)}</span>{' '}
        <span className="diff-counts" aria-label={`${file.added} added, ${file.removed} removed`}>
          <span className="plus">+{file.added}</span> <span className="minus">−{file.removed}</span>
        </span>
      </summary>
      {file.binary ? (
        <p className="hint">Binary file: not shown.</p>
      ) : (
        file.hunks.map((h, i) => {
          if (budget <= 0) return null;
          const lines = numberLines(h).slice(0, budget);
          budget -= lines.length;
          return (
            <table key={i} className="diff-hunk">
              <caption className="hunk-header mono">{h.header}</caption>
              <tbody>
                {lines.map((l, j) => (
                  <tr key={j} className={`diff-line ${l.kind}`}>
                    <td className="ln" aria-hidden="true">
                      {l.oldNo ?? ''}
                    </td>
                    <td className="ln" aria-hidden="true">
                      {l.newNo ?? ''}
                    </td>
                    <td className="marker" aria-hidden="true">
                      {l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ''}
                    </td>
                    <td className="code">{l.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        })
      )}
      {!all && total > LINES_PER_FILE && (
        <button className="small" onClick={() => setAll(true)}>
          Show all {total} lines ({formatCounts(file.added, file.removed)})
        </button>
      )}
    </details>
  );
}

function GitCommands({ department, reloadKey }: { department: DepartmentRef; reloadKey: string }) {
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<GitCommand[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { runId, sessionId } = department;
  useEffect(() => {
    if (!open) return;
    let stop = false;
    workspaceCommands({ runId, sessionId }).then(
      (l) => !stop && (setList(l), setError(null)),
      (e: unknown) => !stop && setError(errorText(e)),
    );
    return () => {
      stop = true;
    };
  }, [open, runId, sessionId, reloadKey]);
  return (
    <details className="git-commands" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Git commands{list ? ` (${list.length})` : ''}</summary>
      {error ? (
        <p className="error-text">{error}</p>
      ) : !list ? (
        <p className="hint">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No git commands were run for this department yet.</p>
      ) : (
        <ol className="commands" aria-label="Git commands run">
          {list.map((c, i) => (
            <li key={i} className={c.exitCode === 0 ? '' : 'failed'}>
              <code>{commandLine(c.args)}</code>
              <span className="hint">
                {' '}
                {clockTime(c.startedAt)} · {c.durationMs} ms · exit {c.exitCode} · in{' '}
                <span className="mono">{c.cwd}</span>
              </span>
              {c.stderr && <pre className="stderr">{c.stderr}</pre>}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
