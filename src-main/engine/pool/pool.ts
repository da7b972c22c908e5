import { performance } from 'node:perf_hooks';
import { abortErrorFor } from './abort';
import { answerCall, deliverNotice } from './calls';
import { poolErrors } from './errors';
import { hasTimeout, limitsKey, resolvePoolOptions } from './options';
import { PoolWorker } from './pool-worker';
import { fromWireError, toWireTask, taskLabel, type FromWorker } from './protocol';
import { PoolCounters } from './stats';
import { PoolTask } from './task';
import { TaskQueue } from './task-queue';
import type {
  PoolStats,
  ResolvedPoolOptions,
  RunOptions,
  TaskSnapshot,
  TaskSpec,
  WorkerPool,
  WorkerPoolOptions,
  WorkerSnapshot,
  WorkerState,
} from './types';

export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  return new Pool(resolvePoolOptions(options));
}

/**
 * The scheduler. Every change of a worker's or task's state happens here, synchronously, so the
 * counts in stats() are always exact. Tasks go FIFO to the first worker whose resource limits
 * match; a worker that crashes, hangs past the timeout or runs a cancelled task is ended and
 * replaced, and the caller always gets an answer.
 */
class Pool implements WorkerPool {
  readonly options: Readonly<ResolvedPoolOptions>;
  private readonly url: URL;
  private readonly live = new Set<PoolWorker>();
  private readonly idle = new Map<string, PoolWorker[]>();
  private readonly queue = new TaskQueue<PoolTask>();
  private readonly counters = new PoolCounters();
  private readonly reaper: NodeJS.Timeout | null = null;
  private nextWorkerId = 1;
  private nextTaskId = 1;
  private destroying: Promise<void> | null = null;

  constructor(options: ResolvedPoolOptions) {
    this.options = Object.freeze({ ...options });
    this.url = new URL(options.workerUrl);
    this.ensureMinimum();
    if (hasTimeout(options.idleTimeoutMs)) {
      const every = Math.min(Math.max(options.idleTimeoutMs / 2, 50), 5000);
      this.reaper = setInterval(() => this.reapIdle(), every);
      this.reaper.unref();
    }
  }

  run<R = unknown>(spec: TaskSpec, payload?: unknown, options: RunOptions = {}): Promise<R> {
    const label = options.label ?? taskLabel(spec);
    if (this.destroying !== null) return Promise.reject(poolErrors.destroyed(label));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal, label));
    if (this.queue.size >= this.options.maxQueue) {
      return Promise.reject(poolErrors.queueFull(label, this.options.maxQueue));
    }
    return new Promise<R>((resolve, reject) => {
      const task = new PoolTask({
        id: this.takeTaskId(),
        label,
        wire: toWireTask(spec),
        payload,
        key: limitsKey(options.resourceLimits),
        resourceLimits: options.resourceLimits,
        timeoutMs: options.timeoutMs ?? this.options.taskTimeoutMs,
        maxRetries: options.maxRetries ?? this.options.maxRetries,
        options,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (signal !== undefined) {
        task.onAbort = () => this.cancel(task, signal);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  stats(): PoolStats {
    return this.counters.snapshot(this.queue.size, this.destroying !== null);
  }

  tasks(): TaskSnapshot[] {
    const out = [...this.queue].map((task) => task.snapshot());
    for (const worker of this.live) if (worker.task !== null) out.push(worker.task.snapshot());
    return out;
  }

  workers(): WorkerSnapshot[] {
    return [...this.live].map((worker) => worker.snapshot());
  }

  destroy(): Promise<void> {
    if (this.destroying !== null) return this.destroying;
    if (this.reaper !== null) clearInterval(this.reaper);
    for (let task = this.queue.shift(); task !== undefined; task = this.queue.shift()) {
      this.counters.cancelled++;
      task.settle('cancelled', poolErrors.destroyedBeforeDone(task));
    }
    for (const worker of this.live) {
      const task = worker.task;
      worker.task = null;
      if (task !== null) {
        this.counters.cancelled++;
        task.settle('cancelled', poolErrors.destroyedBeforeDone(task));
      }
      this.retire(worker);
    }
    this.destroying = Promise.all([...this.live].map((worker) => worker.exited)).then(
      () => undefined,
    );
    return this.destroying;
  }

  // ── scheduling ────────────────────────────────────────────────────────────

  /** Hands waiting tasks to idle workers, starting workers up to maxWorkers. */
  private pump(): void {
    while (this.queue.size > 0 && this.destroying === null) {
      const task = this.queue.peek() as PoolTask;
      let worker = this.idle.get(task.key)?.pop();
      if (worker === undefined) {
        if (this.counters.workers.idle + this.counters.workers.busy >= this.options.maxWorkers) {
          // Full: an idle worker with other limits makes room, or the task waits.
          const spare = this.anyIdleWorker();
          if (spare === undefined) return;
          this.retire(spare);
        }
        try {
          worker = this.spawn(task.key, task.resourceLimits);
        } catch (error) {
          this.queue.shift();
          this.counters.failed++;
          task.settle('failed', poolErrors.noWorker(task, error));
          continue;
        }
      }
      this.queue.shift();
      this.assign(worker, task);
    }
  }

  private assign(worker: PoolWorker, task: PoolTask): void {
    this.setState(worker, 'busy');
    worker.task = task;
    task.worker = worker;
    task.state = 'assigned';
    task.attempts++;
    task.assignedAt = Date.now();
    task.startedAt = performance.now();
    if (!hasTimeout(task.timeoutMs)) worker.keepAlive(true);
    else if (worker.online) this.startTimer(task);
    else {
      // A fresh thread is still booting: the task's time starts when it is up.
      worker.keepAlive(true);
      worker.onOnline = () => {
        worker.keepAlive(false);
        if (worker.task === task) this.startTimer(task);
      };
    }
    try {
      worker.post({ t: 'run', id: task.id, task: task.wire, payload: task.payload });
    } catch (error) {
      this.release(worker);
      this.counters.failed++;
      task.settle('failed', poolErrors.payload(task, error));
    }
  }

  private startTimer(task: PoolTask): void {
    task.startedAt = performance.now();
    task.timer = setTimeout(() => this.onTimeout(task), task.timeoutMs);
  }

  /** A worker whose task ended normally goes back to the idle list. */
  private release(worker: PoolWorker): void {
    worker.task = null;
    worker.keepAlive(false);
    worker.idleSince = Date.now();
    this.setState(worker, 'idle');
    let list = this.idle.get(worker.key);
    if (list === undefined) this.idle.set(worker.key, (list = []));
    list.push(worker);
  }

  private spawn(key: string, resourceLimits: PoolTask['resourceLimits']): PoolWorker {
    const worker = new PoolWorker(
      {
        id: this.nextWorkerId++,
        url: this.url,
        key,
        resourceLimits: key === '' ? this.options.resourceLimits : resourceLimits,
        execArgv: this.options.execArgv,
      },
      {
        message: (w, message) => this.onMessage(w, message),
        error: (w, error) => this.onError(w, error),
        exit: (w, code) => this.onExit(w, code),
      },
    );
    this.live.add(worker);
    this.counters.move(null, 'idle');
    return worker;
  }

  /** Keeps minWorkers ordinary workers ready. */
  private ensureMinimum(): void {
    let ready = 0;
    for (const worker of this.live) {
      if (worker.key === '' && (worker.state === 'idle' || worker.state === 'busy')) ready++;
    }
    for (; ready < this.options.minWorkers; ready++) this.release(this.spawn('', undefined));
  }

  /** Ends workers idle past idleTimeoutMs, keeping minWorkers ordinary ones. */
  private reapIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    let spare = -this.options.minWorkers;
    for (const worker of this.live) {
      if (worker.key === '' && (worker.state === 'idle' || worker.state === 'busy')) spare++;
    }
    for (const worker of this.live) {
      if (worker.state !== 'idle' || worker.idleSince > cutoff) continue;
      if (worker.key !== '') this.retire(worker);
      else if (spare > 0) {
        spare--;
        this.retire(worker);
      }
    }
  }

  /** Ends a worker on purpose (timeout, cancel, idle, destroy). Its task, if any, is already settled. */
  private retire(worker: PoolWorker): void {
    if (worker.state === 'terminating' || worker.state === 'terminated') return;
    this.dropIdle(worker);
    this.setState(worker, 'terminating');
    void worker.thread.terminate();
  }

  // ── events from workers ───────────────────────────────────────────────────

  private onMessage(worker: PoolWorker, message: FromWorker): void {
    const task = worker.task;
    if (task === null || task.id !== message.id) return; // a late message from a task that has ended
    if (message.t === 'done') {
      this.counters.addRunTime(performance.now() - task.startedAt);
      worker.tasksRun++;
      this.release(worker);
      if (message.ok) {
        this.counters.completed++;
        task.settle('completed', message.value);
      } else {
        this.counters.failed++;
        task.settle('failed', fromWireError(message.error, task.label));
      }
      this.pump();
    } else if (message.t === 'call') {
      answerCall(worker, task, message.callId, message.method, message.args);
    } else {
      deliverNotice(task, message.method, message.args);
    }
  }

  /** An uncaught exception (or out of memory) in the worker: the thread is ending. */
  private onError(worker: PoolWorker, error: Error): void {
    if (worker.state !== 'idle' && worker.state !== 'busy') return; // already ending
    this.dropIdle(worker);
    this.setState(worker, 'unhealthy');
    this.counters.crashes++;
    this.recoverTask(worker, error);
    void worker.thread.terminate();
    this.pump();
  }

  private onExit(worker: PoolWorker, code: number): void {
    const expected = worker.state === 'terminating' || worker.state === 'unhealthy';
    if (!expected) {
      this.counters.crashes++;
      this.recoverTask(worker, new Error(`the worker exited unexpectedly with code ${code}`));
    }
    this.dropIdle(worker);
    this.live.delete(worker);
    this.setState(worker, 'terminated');
    if (this.destroying !== null) return;
    // A worker that never came up is not replaced eagerly: the next task starts one, and a broken
    // entry then fails that task after its retries instead of respawning forever.
    if (worker.online) this.ensureMinimum();
    this.pump();
  }

  /** The worker running `task` crashed: run it again at the front of the queue, or fail it. */
  private recoverTask(worker: PoolWorker, cause: Error): void {
    const task = worker.task;
    worker.task = null;
    if (task === null || task.settled) return;
    task.clearTimer();
    task.worker = null;
    let retry = task.attempts <= task.maxRetries && this.destroying === null;
    if (retry && task.shouldRetry !== undefined) {
      try {
        retry = task.shouldRetry(cause, task.attempts);
      } catch {
        retry = false;
      }
    }
    if (retry) {
      this.counters.retries++;
      task.state = 'pending';
      this.queue.unshift(task);
      return;
    }
    this.counters.failed++;
    task.settle('failed', poolErrors.crashed(task, cause));
  }

  private onTimeout(task: PoolTask): void {
    const worker = task.worker;
    task.timer = null;
    this.counters.timedOut++;
    this.counters.failed++;
    task.settle('timeout', poolErrors.timeout(task));
    if (worker !== null) {
      worker.task = null;
      this.retire(worker);
    }
    this.pump();
  }

  private cancel(task: PoolTask, signal: AbortSignal): void {
    if (task.settled) return;
    const worker = task.worker;
    if (task.state === 'pending') this.queue.remove(task);
    this.counters.cancelled++;
    task.settle('cancelled', abortErrorFor(signal, task.label));
    if (worker !== null) {
      worker.task = null;
      this.retire(worker); // the task's code may not stop on its own: end the thread
    }
    this.pump();
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────

  private setState(worker: PoolWorker, state: WorkerState): void {
    if (worker.state === state) return;
    this.counters.move(worker.state, state);
    worker.state = state;
  }

  private dropIdle(worker: PoolWorker): void {
    if (worker.state !== 'idle') return;
    const list = this.idle.get(worker.key);
    const index = list?.indexOf(worker) ?? -1;
    if (list !== undefined && index >= 0) list.splice(index, 1);
  }

  private anyIdleWorker(): PoolWorker | undefined {
    for (const list of this.idle.values()) if (list.length > 0) return list[0];
    return undefined;
  }

  private takeTaskId(): number {
    const id = this.nextTaskId;
    this.nextTaskId = id >= 0x7fffffff ? 1 : id + 1; // ids live in an Int32 slot
    return id;
  }
}
