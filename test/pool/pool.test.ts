import { describe, expect, it, vi } from 'vitest';
import { OrchestrationError, ValidationError, WorkerError } from '../../src-shared/errors';
import { createWorkerPool, POOL_DEFAULTS } from '../../src-main/engine/pool';
import { fixture, rejection, sharedCounter, usePools } from './helpers';

const pool = usePools();

describe('worker pool: running tasks', () => {
  it('uses the SPEC defaults and starts minWorkers threads', async () => {
    const p = createWorkerPool();
    try {
      expect(p.options).toMatchObject({
        minWorkers: 2,
        maxWorkers: 8,
        maxQueue: 1000,
        taskTimeoutMs: 30_000,
        maxRetries: 3,
      });
      expect(POOL_DEFAULTS.maxQueue).toBe(1000);
      expect(p.stats().workers).toMatchObject({ idle: 2, total: 2 });
      expect(await p.run('echo', { hello: 'world' })).toEqual({ hello: 'world' });
    } finally {
      await p.destroy();
    }
    expect(p.stats().workers.total).toBe(0);
  });

  it('completes built-in and module tasks, many at once', async () => {
    const p = pool({ maxWorkers: 4 });
    expect(await p.run('noop')).toBeNull();
    const sums = await Promise.all(
      Array.from({ length: 50 }, (_, i) => p.run(fixture('add'), { a: i, b: 1 })),
    );
    expect(sums).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const stats = p.stats();
    expect(stats.completed).toBe(51);
    expect(stats.failed).toBe(0);
    expect(stats.queued).toBe(0);
    expect(stats.avgRunTimeMs).toBeGreaterThan(0);
    expect(stats.workers.total).toBeLessThanOrEqual(4);
  });

  it('never runs more tasks at once than maxWorkers', async () => {
    const p = pool({ minWorkers: 0, maxWorkers: 3 });
    const { shared, view } = sharedCounter(2);
    const runs = Array.from({ length: 9 }, () =>
      p.run<number>(fixture('probe'), { shared, ms: 80 }),
    );
    const during = p.stats();
    expect(during.workers.total).toBe(3);
    expect(during.active).toBe(3);
    expect(during.queued).toBe(6);
    const threads = new Set(await Promise.all(runs));
    expect(view[1]).toBe(3); // the most that ever ran at the same time
    expect(threads.size).toBeLessThanOrEqual(3);
    expect(p.stats().workers.total).toBeLessThanOrEqual(3);
  });

  it('refuses a task with QUEUE_FULL when the queue is at its bound', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1, maxQueue: 2 });
    const running = p.run(fixture('sleepFor'), { ms: 150 });
    const queued = [p.run('echo', 1), p.run('echo', 2)];
    const error = await rejection(p.run('echo', 3));
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.code).toBe('QUEUE_FULL');
    expect(p.stats().queued).toBe(2);
    await running;
    expect(await Promise.all(queued)).toEqual([1, 2]);
    expect(await p.run('echo', 4)).toBe(4); // room again
  });

  it('reports task states: pending, assigned/running, then gone', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const first = p.run(fixture('sleepFor'), { ms: 300 }, { label: 'sleeper' });
    const second = p.run('echo', 'next');
    const states = () => Object.fromEntries(p.tasks().map((task) => [task.label, task.state]));
    expect(states().echo).toBe('pending');
    expect(['assigned', 'running']).toContain(states().sleeper); // running once the thread has it
    await vi.waitFor(() => expect(states().sleeper).toBe('running'), {
      timeout: 15_000,
      interval: 10,
    });
    expect(p.workers()).toEqual([expect.objectContaining({ state: 'busy' })]);
    await Promise.all([first, second]);
    expect(p.tasks()).toEqual([]);
    expect(p.workers()).toEqual([expect.objectContaining({ state: 'idle', tasksRun: 2 })]);
  });

  it("rejects with the task's own error, without retrying or replacing the worker", async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 1 });
    const before = await p.run<{ threadId: number }>(fixture('whoAmI'));
    const error = await rejection(p.run(fixture('fail'), { message: 'bad input' }));
    expect(error).toBeInstanceOf(OrchestrationError);
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toBe('bad input');
    expect(error.details).toMatchObject({ errorName: 'RangeError' });
    const after = await p.run<{ threadId: number }>(fixture('whoAmI'));
    expect(after.threadId).toBe(before.threadId);
    expect(p.stats()).toMatchObject({ failed: 1, crashes: 0, retries: 0 });
  });

  it('refuses unknown tasks and payloads that cannot cross threads', async () => {
    const p = pool();
    expect((await rejection(p.run('no-such-task'))).code).toBe('INVALID_INPUT');
    const error = await rejection(p.run('echo', { fn: () => 1 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('INVALID_INPUT');
    expect(await p.run('echo', 'still fine')).toBe('still fine');
  });

  it('lets a task call the main thread (ctx.call / ctx.notify)', async () => {
    const p = pool();
    const notes: unknown[] = [];
    const result = await p.run(
      fixture('askMain'),
      { x: 21 },
      {
        onCall: (method, args) => {
          if (method === 'double') return (args[0] as number) * 2;
          if (method === 'note') return void notes.push(args[0]);
          throw new ValidationError('INVALID_INPUT', 'nope');
        },
      },
    );
    expect(result).toEqual({
      doubled: 42,
      refused: { name: 'ValidationError', message: 'nope', code: 'INVALID_INPUT' },
    });
    expect(notes).toEqual(['starting']);
  });

  it('gives a task with resourceLimits its own worker with those limits', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 2 });
    type Who = { threadId: number; resourceLimits: { maxOldGenerationSizeMb: number } };
    const plain = await p.run<Who>(fixture('whoAmI'));
    const limited = await p.run<Who>(fixture('whoAmI'), undefined, {
      resourceLimits: { maxOldGenerationSizeMb: 48 },
    });
    expect(limited.resourceLimits.maxOldGenerationSizeMb).toBe(48);
    expect(plain.resourceLimits.maxOldGenerationSizeMb).not.toBe(48);
    expect(limited.threadId).not.toBe(plain.threadId);
    const error = await rejection(
      p.run(fixture('allocate'), undefined, {
        resourceLimits: { maxOldGenerationSizeMb: 24 },
        maxRetries: 0,
      }),
    );
    expect(error.code).toBe('WORKER_HEALTH_FAILED');
    expect(error.message).toMatch(/memory/i);
    expect(await p.run('echo', 'ok')).toBe('ok');
  });

  it('ends workers above minWorkers after idleTimeoutMs', async () => {
    const p = pool({ minWorkers: 1, maxWorkers: 3, idleTimeoutMs: 100 });
    const runs = [1, 2, 3].map(() => p.run(fixture('sleepFor'), { ms: 50 }));
    expect(p.stats().workers.total).toBe(3);
    await Promise.all(runs);
    await vi.waitFor(() => expect(p.stats().workers).toMatchObject({ total: 1, terminated: 2 }), {
      timeout: 15_000,
      interval: 25,
    });
  });

  it('destroy() fails waiting and running tasks with WORKER_UNAVAILABLE and ends every worker', async () => {
    const p = pool({ minWorkers: 2, maxWorkers: 2 });
    const tasks = [1, 2, 3].map(() => p.run(fixture('sleepFor'), { ms: 5_000 }));
    const errors = Promise.all(tasks.map(rejection));
    await p.destroy();
    for (const error of await errors) expect(error.code).toBe('WORKER_UNAVAILABLE');
    const stats = p.stats();
    expect(stats.destroyed).toBe(true);
    expect(stats.workers).toMatchObject({
      total: 0,
      idle: 0,
      busy: 0,
      terminating: 0,
      terminated: 2,
    });
    expect(p.workers()).toEqual([]);
    expect((await rejection(p.run('echo', 1))).code).toBe('WORKER_UNAVAILABLE');
  });

  it('rejects invalid options', () => {
    expect(() => createWorkerPool({ minWorkers: 3, maxWorkers: 2 })).toThrow(ValidationError);
    expect(() => createWorkerPool({ maxWorkers: 0 })).toThrow(/maxWorkers/);
  });
});
