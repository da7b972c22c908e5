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
        'were put back as in the checkpoint, and a late acknowledgement from those handlers may still ' +
        'mark the restored copy acknowledged.',
    );
  }
}

type Resumable = { resume?: (runId: string) => Promise<unknown> };

/**
 * Runs that were live in the checkpoint. A RunExecution keeps its director's progress in memory,
 * so unless the run service can resume a run over its restored sessions and mail (`runs.resume`),
 * they are ended like runs of a crashed engine: failed ("interrupted"), sessions terminated.
 */
export async function settleRestoredRuns(
  deps: CheckpointDeps,
  replaced: ReplaceResult,
  marker: string,
  conflicts: RestoreConflict[],
  warnings: string[],
): Promise<void> {
  if (replaced.liveRuns.length === 0) return;
  const resume = (deps.runs as unknown as Resumable).resume;
  if (typeof resume === 'function') {
    for (const id of replaced.liveRuns) {
      await resume.call(deps.runs, id).catch((error: unknown) => {
        warnings.push(`Run ${id} could not be resumed: ${toOrchestrationError(error).message}`);
      });
    }
    return;
  }
  const ended = await deps.runs.recover((owner) => owner === marker);
  for (const id of replaced.liveRuns) {
    conflicts.push({
      kind: 'run-interrupted',
      id,
      detail: `Run ${id} was running at the checkpoint; it was restored as failed (interrupted).`,
    });
  }
  warnings.push(
    `${ended} run(s) were running when the checkpoint was taken. Runs cannot be resumed in place yet ` +
      '(a run keeps its director’s progress in memory), so they were marked failed ("interrupted") and ' +
      'their sessions terminated, as after a crash. Their messages are restored as pending; start the ' +
      'workflow again, or fork the checkpoint to inspect it.',
  );
}

export function sessionIds(tables: SnapshotTables): Set<string> {
  const at = tables.sessions.columns.indexOf('id');
  return new Set(tables.sessions.rows.map((r) => r[at] as string));
}
