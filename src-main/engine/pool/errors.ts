import { ValidationError, WorkerError } from '../../../src-shared/errors';
import type { PoolTask } from './task';

/** The pool's failures, one place for their codes and wording. */
export const poolErrors = {
  destroyed: (label: string) =>
    new WorkerError('WORKER_UNAVAILABLE', 'The worker pool has been destroyed', {
      details: { task: label },
    }),
  destroyedBeforeDone: (task: PoolTask) =>
    new WorkerError(
      'WORKER_UNAVAILABLE',
      `The worker pool was destroyed before task "${task.label}" finished`,
      { details: { task: task.label } },
    ),
  queueFull: (label: string, maxQueue: number) =>
    new WorkerError('QUEUE_FULL', `The worker pool queue is full (${maxQueue} tasks waiting)`, {
      details: { task: label, maxQueue },
    }),
  noWorker: (task: PoolTask, error: unknown) =>
    new WorkerError(
      'WORKER_UNAVAILABLE',
      `No worker could be started for task "${task.label}": ${reason(error)}`,
      { details: { task: task.label } },
    ),
  payload: (task: PoolTask, error: unknown) =>
    new ValidationError(
      'INVALID_INPUT',
      `The payload of task "${task.label}" cannot be sent to a worker: ${reason(error)}`,
      'payload',
    ),
  timeout: (task: PoolTask) =>
    new WorkerError(
      'TASK_TIMEOUT',
      `Task "${task.label}" did not finish within ${task.timeoutMs} ms; its worker was ended and is replaced`,
      { details: { task: task.label, timeoutMs: task.timeoutMs } },
    ),
  crashed: (task: PoolTask, cause: Error) =>
    new WorkerError(
      'WORKER_HEALTH_FAILED',
      `Task "${task.label}" failed: its worker crashed${task.attempts === 1 ? '' : ` (${task.attempts} attempts)`}: ${cause.message}`,
      { details: { task: task.label, attempts: task.attempts, cause: cause.message }, cause },
    ),
};

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
