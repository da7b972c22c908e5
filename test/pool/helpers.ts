import { afterEach, expect } from 'vitest';
import {
  createWorkerPool,
  type TaskSpec,
  type WorkerPool,
  type WorkerPoolOptions,
} from '../../src-main/engine/pool';

const fixtures = new URL('./fixtures/tasks.mjs', import.meta.url);

/** A task exported by test/pool/fixtures/tasks.mjs. */
export function fixture(name: string): TaskSpec {
  return { module: fixtures, name };
}

/** Pools made in a test are destroyed after it, and must then have no worker left. */
export function usePools(): (options?: WorkerPoolOptions) => WorkerPool {
  const pools: WorkerPool[] = [];
  afterEach(async () => {
    const made = pools.splice(0);
    await Promise.all(made.map((pool) => pool.destroy()));
    for (const pool of made) expect(pool.stats().workers.total).toBe(0);
  });
  return (options = {}) => {
    const pool = createWorkerPool({
      minWorkers: 1,
      maxWorkers: 2,
      taskTimeoutMs: 10_000,
      ...options,
    });
    pools.push(pool);
    return pool;
  };
}

export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

/** An Int32Array counter shared with the worker threads. */
export function sharedCounter(slots = 1): { shared: SharedArrayBuffer; view: Int32Array } {
  const shared = new SharedArrayBuffer(4 * slots);
  return { shared, view: new Int32Array(shared) };
}
