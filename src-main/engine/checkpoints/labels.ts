/**
 * How checkpoint dialogs name things: a run's session as the workflow names it, with its run
 * (`"Writing" (run …7d87540b)`), not by its engine-unique name (`55627d87540b/Writing`); a run by
 * its id's tail and its workflow's name; a workflow by its name.
 */
import { nameInRun, runIdIn } from '../runs/sessions';
import { rowObjects } from './codec';
import type { TableRows } from '../store/port';

const UNDO_NAME = /^Before (restoring|undoing the restore of|redoing the restore of) "(.*)"$/s;

/**
 * The name of the checkpoint a restore of `restored` saves first (its undo). Undoing and redoing
 * keep naming what the person restored instead of nesting quotes: restoring X saves 'Before
 * restoring "X"' (the state without X); restoring that, the undo, saves 'Before undoing the
 * restore of "X"' (the state with X); restoring that, the redo, saves 'Before redoing the restore
 * of "X"' (without X again), whose restore saves 'Before undoing…' again.
 */
export function preRestoreName(restored: { name: string; tags: readonly string[] }): string {
  const undone = restored.tags.includes('pre-restore') ? UNDO_NAME.exec(restored.name) : null;
  if (!undone) return `Before restoring "${restored.name}"`.slice(0, 200);
  const [, before, name] = undone;
  const now = before === 'undoing the restore of' ? 'redoing' : 'undoing';
  return `Before ${now} the restore of "${name}"`.slice(0, 200);
}

/** The part of a run id people see (its head is a timestamp shared by runs started together). */
export const shownRun = (runId: string) => `…${runId.slice(-8)}`;

/** A session as the person named it: `"Writing" (run …7d87540b)` for a run's, else `"name"`. */
function sessionLabel(session: Record<string, unknown>): string {
  const name = String(session.name);
  const runId = runIdIn(session.metadata);
  const own = runId === null ? undefined : nameInRun(runId, name);
  return own === undefined ? `"${name}"` : `"${own}" (run ${shownRun(runId!)})`;
}

/** Labels by id for the sessions, runs and workflows of any of these snapshots (later ones win). */
export class Labels {
  private readonly sessions = new Map<string, string>();
  private readonly workflows = new Map<string, string>();
  private readonly runWorkflow = new Map<string, string>();

  constructor(
    snapshots: readonly { sessions: TableRows; workflows: TableRows; runs: TableRows }[],
  ) {
    for (const s of snapshots) {
      for (const row of rowObjects(s.sessions))
        this.sessions.set(String(row.id), sessionLabel(row));
      for (const row of rowObjects(s.workflows)) {
        this.workflows.set(String(row.id), `"${String(row.name)}"`);
      }
      for (const row of rowObjects(s.runs)) {
        this.runWorkflow.set(String(row.id), String(row.workflow_id));
      }
    }
  }

  /** A session by id, or the address itself (quoted) when no snapshot has that session. */
  session(idOrAddress: string, name = idOrAddress): string {
    return this.sessions.get(idOrAddress) ?? `"${name}"`;
  }

  workflow(id: string): string {
    return this.workflows.get(id) ?? `…${id.slice(-8)}`;
  }

  /** `…7d87540b of "Blog post"`. */
  run(id: string): string {
    const workflow = this.runWorkflow.get(id);
    return workflow === undefined ? shownRun(id) : `${shownRun(id)} of ${this.workflow(workflow)}`;
  }
}
