import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';
import type { PoolTask } from './task';
import type { WorkerSnapshot, WorkerState } from './types';

export interface PoolWorkerEvents {
  message(worker: PoolWorker, message: FromWorker): void;
  error(worker: PoolWorker, error: Error): void;
  exit(worker: PoolWorker, code: number): void;
}

export interface PoolWorkerInit {
  id: number;
  url: URL;
  /** '' for the pool's ordinary workers; a task's limits, serialised, otherwise. */
  key: string;
  resourceLimits: ResourceLimits | undefined;
  execArgv: string[] | undefined;
}

/** One worker thread and what the pool knows about it. The pool owns every state change. */
export class PoolWorker {
  readonly id: number;
  readonly key: string;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly thread: Worker;
  /** Resolves once the thread has exited and the pool has handled it. */
  readonly exited: Promise<void>;
  readonly startedAt = Date.now();
  state: WorkerState = 'idle';
  task: PoolTask | null = null;
  tasksRun = 0;
  idleSince = Date.now();
  online = false;
  /** Called once when the thread is up (a task's timeout starts then, not during boot). */
  onOnline: (() => void) | null = null;
  private readonly slot: Int32Array;
  private referenced = false;

  constructor(init: PoolWorkerInit, events: PoolWorkerEvents) {
    this.id = init.id;
    this.key = init.key;
    this.resourceLimits = init.resourceLimits;
    const shared = new SharedArrayBuffer(4);
    this.slot = new Int32Array(shared);
    this.thread = new Worker(init.url, {
      workerData: { slot: shared },
      resourceLimits: init.resourceLimits,
      execArgv: init.execArgv,
    });
    this.thread.once('online', () => {
      this.online = true;
      const onOnline = this.onOnline;
      this.onOnline = null;
      onOnline?.();
    });
    this.thread.on('message', (message: FromWorker) => events.message(this, message));
    this.thread.on('error', (error: Error) => events.error(this, error));
    this.exited = new Promise((resolve) => {
      this.thread.once('exit', (code: number) => {
        events.exit(this, code);
        resolve();
      });
    });
    // Idle workers never keep the process alive; a running task's timeout timer (or ref()) does.
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.thread.unref();
  }

  post(message: ToWorker): void {
    this.thread.postMessage(message);
  }

  /** The id of the task the thread is executing right now (0: none). */
  runningTaskId(): number {
    return Atomics.load(this.slot, 0);
  }

  /** Keeps the process alive while a task without a timeout runs. */
  keepAlive(on: boolean): void {
    if (on === this.referenced) return;
    this.referenced = on;
    if (on) this.thread.ref();
    else this.thread.unref();
  }

  snapshot(): WorkerSnapshot {
    return {
      id: this.id,
      threadId: this.thread.threadId,
      state: this.state,
      taskId: this.task?.id ?? null,
      tasksRun: this.tasksRun,
      resourceLimits: this.resourceLimits ?? null,
      startedAt: this.startedAt,
    };
  }
}
