import { ValidationError } from '../../../src-shared/errors';
import { toWireError } from './protocol';
import type { PoolWorker } from './pool-worker';
import type { PoolTask } from './task';

/** Answers a task's `ctx.call(method, ...args)` with its RunOptions.onCall, back on the same worker. */
export function answerCall(
  worker: PoolWorker,
  task: PoolTask,
  callId: number,
  method: string,
  args: unknown[],
): void {
  const answer = (ok: boolean, outcome: unknown): void => {
    if (worker.task !== task) return; // the task ended (timeout, cancel) while the call ran
    try {
      if (ok) worker.post({ t: 'reply', callId, ok: true, value: outcome });
      else worker.post({ t: 'reply', callId, ok: false, error: toWireError(outcome) });
    } catch (error) {
      worker.post({ t: 'reply', callId, ok: false, error: toWireError(error) });
    }
  };
  const handler = task.onCall;
  if (handler === undefined) {
    const message = `Task "${task.label}" has no handler for ctx.call("${method}")`;
    answer(false, new ValidationError('INVALID_INPUT', message));
    return;
  }
  Promise.resolve()
    .then(() => handler(method, args))
    .then(
      (value) => answer(true, value),
      (error: unknown) => answer(false, error),
    );
}

/** Passes a task's `ctx.notify(method, ...args)` to its onCall; nobody waits for an answer. */
export function deliverNotice(task: PoolTask, method: string, args: unknown[]): void {
  if (task.onCall === undefined) return;
  try {
    Promise.resolve(task.onCall(method, args)).catch(() => undefined);
  } catch {
    // a notification has nobody to report to
  }
}
