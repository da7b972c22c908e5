/** How a cancelled task rejects: an Error named AbortError, like fetch and Node's own APIs. */
export class TaskCancelledError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';

  constructor(message = 'The task was cancelled', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export function abortErrorFor(signal: AbortSignal, label: string): TaskCancelledError {
  return new TaskCancelledError(`Task "${label}" was cancelled`, { cause: signal.reason });
}
