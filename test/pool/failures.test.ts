import { describe, expect, it, vi } from 'vitest';
import { WorkerError } from '../../src-shared/errors';
import { isAbortError, TaskCancelledError } from '../../src-main/engine/pool';
import { fixture, rejection, sharedCounter, usePools } from './helpers';

const pool = usePools();
type Who = { threadId: number };

describe('worker pool: hung, crashing and cancelled tasks', () => {
  it('fails a hung task with TASK_TIMEOUT and replaces its worker', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const before = await p.run<Who>(fixture('whoAmI'));
    const error = await rejection(p.run(fixture('hang'), undefined, { timeoutMs: 250 }));
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(p.stats()).toMatchObject({ timedOut: 1, failed: 1 });
    const after = await p.run<Who>(fixture('whoAmI'));
    expect(after.threadId).not.toBe(before.threadId);
    await vi.waitFor(() => expect(p.stats().workers).toMatchObject({ total: 1, terminated: 1 }), {
      timeout: 15_000,
    });
  });

  it('applies the pool-wide taskTimeoutMs', async () => {
    const p = pool({ taskTimeoutMs: 200 });
    expect((await rejection(p.run(fixture('hang')))).code).toBe('TASK_TIMEOUT');
    expect(await p.run('echo', 'alive')).toBe('alive');
  });

  it('retries a task whose worker exited, and it succeeds on a fresh worker', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const { shared } = sharedCounter();
    const result = await p.run<{ attempt: number }>(fixture('exitUntil'), { shared, crashes: 2 });
    expect(result.attempt).toBe(3);
    expect(p.stats()).toMatchObject({ crashes: 2, retries: 2, completed: 1, failed: 0 });
  });

  it('fails with WORKER_HEALTH_FAILED after 3 retries when the worker keeps exiting', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const { shared, view } = sharedCounter();
    const error = await rejection(p.run(fixture('exitUntil'), { shared, crashes: 1_000 }));
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.code).toBe('WORKER_HEALTH_FAILED');
    expect(error.message).toMatch(/exited unexpectedly with code 7/);
    expect(error.details).toMatchObject({ attempts: 4 });
    expect(view[0]).toBe(4); // the first run and 3 retries
    expect(p.stats()).toMatchObject({ crashes: 4, retries: 3, failed: 1 });
    expect(await p.run('echo', 'alive')).toBe('alive');
  });

  it('treats an uncaught exception in the worker as a crash', async () => {
    const p = pool();
    const { shared, view } = sharedCounter();
    const error = await rejection(p.run(fixture('throwUncaught'), { shared }, { maxRetries: 1 }));
    expect(error.code).toBe('WORKER_HEALTH_FAILED');
    expect(error.message).toMatch(/uncaught in worker/);
    expect(view[0]).toBe(2);
    expect(await p.run('echo', 'alive')).toBe('alive');
  });

  it('does not retry when shouldRetry says no', async () => {
    const p = pool();
    const { shared, view } = sharedCounter();
    const error = await rejection(
      p.run(fixture('exitUntil'), { shared, crashes: 5 }, { shouldRetry: () => false }),
    );
    expect(error.code).toBe('WORKER_HEALTH_FAILED');
    expect(view[0]).toBe(1);
  });

  it('never hangs the caller when the worker entry itself is broken', async () => {
    const p = pool({
      minWorkers: 0,
      maxRetries: 1,
      workerUrl: new URL('./fixtures/broken-worker.mjs', import.meta.url),
    });
    const error = await rejection(p.run('echo', 1));
    expect(error.code).toBe('WORKER_HEALTH_FAILED');
    expect(error.message).toMatch(/broken worker entry/);
  });

  it('cancels a running task by signal, ending and replacing its worker', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const controller = new AbortController();
    const running = p.run(fixture('sleepFor'), { ms: 10_000 }, { signal: controller.signal });
    await vi.waitFor(() => expect(p.tasks()[0]?.state).toBe('running'), {
      timeout: 15_000,
      interval: 10,
    });
    controller.abort();
    const error = await rejection(running);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(isAbortError(error)).toBe(true);
    expect(p.stats()).toMatchObject({ cancelled: 1, active: 0 });
    expect(await p.run('echo', 'after')).toBe('after');
    await vi.waitFor(() => expect(p.stats().workers.terminated).toBe(1), { timeout: 15_000 });
  });

  it('drops a queued task when its signal aborts, and refuses an already aborted signal', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const first = p.run(fixture('sleepFor'), { ms: 150 });
    const controller = new AbortController();
    const queued = p.run('echo', 'never', { signal: controller.signal });
    expect(p.stats().queued).toBe(1);
    controller.abort(new Error('changed my mind'));
    const error = await rejection(queued);
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).cause).toEqual(new Error('changed my mind'));
    expect(p.stats().queued).toBe(0);
    await first;
    expect(p.stats().workers.terminated).toBe(0); // a queued task costs no worker
    expect(isAbortError(await rejection(p.run('echo', 1, { signal: AbortSignal.abort() })))).toBe(
      true,
    );
  });
});
