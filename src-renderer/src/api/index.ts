/**
 * The renderer's one handle on the engine: typed calls from src-shared/contract and the event
 * stream. main.tsx installs it (over the rpc client); everything else calls `api()`.
 */
import type { MethodName, ParamsOf, ResultOf } from '../../../src-shared/contract';
import type { StreamEvent } from '../../../src-shared/stream';

export interface Api {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Subscribes to event batches (in sequence order); returns an unsubscribe function. */
  onEvents(cb: (events: StreamEvent[]) => void): () => void;
}

let current: Api | null = null;
const failureListeners = new Set<(error: unknown, method: MethodName) => void>();

/** Every failed call is also reported here (e.g. RATE_LIMITED, for a notice); returns off. */
export function onCallFailed(listener: (error: unknown, method: MethodName) => void): () => void {
  failureListeners.add(listener);
  return () => void failureListeners.delete(listener);
}

export function setApi(next: Api): void {
  current = {
    ...next,
    call: (method, params) =>
      next.call(method, params).catch((error: unknown) => {
        for (const l of failureListeners) l(error, method);
        throw error;
      }),
  };
}

export function api(): Api {
  if (!current) throw new Error('Not connected to the engine yet');
  return current;
}

/** A readable message from anything thrown by a call. */
export function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
    return `${code}${String(error.message)}`;
  }
  return String(error);
}
