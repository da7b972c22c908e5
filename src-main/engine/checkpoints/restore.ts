/**
 * The middle of a restore, after the checkpoint was validated and the current state saved:
 * stop the abandoned timeline (cancel live runs, let deliveries in flight settle), replace the
 * state in one transaction, and bring the services back in line with it.
 */
import { toOrchestrationError } from '../../../src-shared/errors';
import type { RunStatus } from '../../../src-shared/workflow';
import type { ReplaceResult, SnapshotTables } from '../store/port';
import type { CheckpointDeps, RestoreConflict } from './types';

const LIVE: readonly RunStatus[] = ['pending', 'running'];

/** Cancels every run this engine executes; runs of other engines are reported, not touched. */
export async function cancelLiveRuns(
  deps: CheckpointDeps,
  reason: string,
  conflicts: RestoreConflict[],
  warnings: string[],
): Promise<void> {
  for (const status of LIVE) {
    for (const run of await deps.runs.list({ status, limit: 10_000 })) {
      try {
        await deps.runs.cancel(run.id, reason);
        conflicts.push({
          kind: 'run-cancelled',
          id: run.id,
          detail: `Run ${run.id} was ${status}; it was cancelled.`,
        });
      } catch (error) {
        warnings.push(
          `Run ${run.id} could not be cancelled: ${toOrchestrationError(error).message}`,
        );
      }
    }
  }
}

/** Waits (up to drainMs) until no message is leased by this engine: no handler is mid-delivery. */
export async function drainDeliveries(deps: CheckpointDeps, drainMs: number, warnings: string[]) {
  const deadline = Date.now() + drainMs;
  let leased = await deps.store.leasedBy(deps.owner);
  while (leased > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    leased = await deps.store.leasedBy(deps.owner);
  }
  if (leased > 0) {
    warnings.push(
      `${leased} deliveries were still being handled by subscribers after ${drainMs} ms; their messages ` +
        'were put back as in the checkpoint and are delivered again. What those handlers return is ' +
        'dropped; one that acknowledges by hand (bus.acknowledge) can still acknowledge the restored copy.',
    );
  }
}

/**
 * Runs that were live in the checkpoint come back `interrupted` (sessions idle, mail as it was),
 * exactly as after a crash; `runs.resume(id)` carries each one on.
 */
export async function settleRestoredRuns(
  deps: CheckpointDeps,
  replaced: ReplaceResult,
  marker: string,
  conflicts: RestoreConflict[],
  warnings: string[],
): Promise<void> {
  if (replaced.liveRuns.length === 0) return;
  const interrupted = await deps.runs.recover((owner) => owner === marker);
  for (const id of replaced.liveRuns) {
    conflicts.push({
      kind: 'run-interrupted',
      id,
      detail: `Run ${id} was running at the checkpoint; it is interrupted — resume it to carry on.`,
    });
  }
  warnings.push(
    `${interrupted} run(s) were running when the checkpoint was taken. They are restored as ` +
      '"interrupted" with their sessions and messages; resume them (runs.resume) to carry on.',
  );
}

export function sessionIds(tables: SnapshotTables): Set<string> {
  const at = tables.sessions.columns.indexOf('id');
  return new Set(tables.sessions.rows.map((r) => r[at] as string));
}
