import type { ResourceLimits } from 'node:worker_threads';

export type { ResourceLimits };

export const WORKER_STATES = ['idle', 'busy', 'unhealthy', 'terminating', 'terminated'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

export const TASK_STATES = [
  'pending',
  'assigned',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timeout',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** SPEC.md defaults for the worker pool. */
export const POOL_DEFAULTS = {
  minWorkers: 2,
  maxWorkers: 8,
  maxQueue: 1000,
  taskTimeoutMs: 30_000,
  maxRetries: 3,
  idleTimeoutMs: 30_000,
} as const;

/**
 * What a worker runs: the name of a task built into the worker (see tasks.mjs: `noop`, `echo`,
 * `script`), or an ES module (file URL or path) and the export to call (default: `default`).
 * A task is `(payload, ctx) => result | Promise<result>`; ctx is described in worker.mjs.
 */
export type TaskSpec = string | { module: string | URL; name?: string };

export interface WorkerPoolOptions {
  minWorkers?: number;
  maxWorkers?: number;
  /** Tasks waiting for a worker; one more is refused with QUEUE_FULL. */
  maxQueue?: number;
  /** Per task, from the moment a worker takes it; 0 or Infinity disables it. */
  taskTimeoutMs?: number;
  /** How often a task whose worker crashed is run again before it fails with WORKER_HEALTH_FAILED. */
  maxRetries?: number;
  /** Workers above minWorkers (and workers with per-task limits) end after this long idle. */
  idleTimeoutMs?: number;
  /** Limits for the pool's ordinary workers. */
  resourceLimits?: ResourceLimits;
  /** The worker entry; defaults to worker.js next to the bundle, or worker.mjs from source. */
  workerUrl?: URL | string;
  /** Node flags for the worker threads (default: inherit the process's). */
  execArgv?: string[];
  /** Thread name prefix, shown in inspectors. */
  name?: string;
}

export type ResolvedPoolOptions = Required<Omit<WorkerPoolOptions, 'resourceLimits' | 'execArgv'>> &
  Pick<WorkerPoolOptions, 'resourceLimits' | 'execArgv'>;

/** A call from the task inside the worker to the main thread (`ctx.call` / `ctx.notify`). */
export type TaskCallHandler = (method: string, args: unknown[]) => unknown;

export interface RunOptions {
  /** Cancels the task: a queued task is dropped, a running one's worker is ended and replaced. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Runs the task on a worker created with these limits (reused only by tasks with the same limits). */
  resourceLimits?: ResourceLimits;
  maxRetries?: number;
  /** Asked after a worker crash whether this task may run again (e.g. not after side effects). */
  shouldRetry?: (cause: Error, attempts: number) => boolean;
  /** Answers `ctx.call(method, ...args)` from inside the worker; its result is sent back. */
  onCall?: TaskCallHandler;
  /** A label for stats, errors and the inspector (default: the task name). */
  label?: string;
}

export interface WorkerSnapshot {
  id: number;
  threadId: number;
  state: WorkerState;
  taskId: number | null;
  tasksRun: number;
  resourceLimits: ResourceLimits | null;
  startedAt: number;
}

export interface TaskSnapshot {
  id: number;
  label: string;
  state: TaskState;
  attempts: number;
  workerId: number | null;
  queuedAt: number;
  assignedAt: number | null;
}

export interface PoolStats {
  workers: Record<WorkerState, number> & { total: number };
  /** Tasks waiting for a worker. */
  queued: number;
  /** Tasks on a worker now (assigned or running). */
  active: number;
  completed: number;
  /** Every task that ended in error: thrown, crashed past its retries, timed out. */
  failed: number;
  timedOut: number;
  cancelled: number;
  /** Worker crashes seen, and the task runs they caused again. */
  crashes: number;
  retries: number;
  /** Mean time on a worker of tasks that returned or threw, in ms. */
  avgRunTimeMs: number;
  destroyed: boolean;
}

export interface WorkerPool {
  /** Resolves with the task's result; rejects with an OrchestrationError, or an AbortError when cancelled. */
  run<R = unknown>(task: TaskSpec, payload?: unknown, options?: RunOptions): Promise<R>;
  stats(): PoolStats;
  tasks(): TaskSnapshot[];
  workers(): WorkerSnapshot[];
  /** Ends every worker and fails every queued or running task with WORKER_UNAVAILABLE. */
  destroy(): Promise<void>;
  readonly options: Readonly<ResolvedPoolOptions>;
}
