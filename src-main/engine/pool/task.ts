import type { ResourceLimits } from 'node:worker_threads';
import type { WireTask } from './protocol';
import type { PoolWorker } from './pool-worker';
import type { RunOptions, TaskCallHandler, TaskSnapshot, TaskState } from './types';

export interface PoolTaskInit {
  id: number;
  label: string;
  wire: WireTask;
  payload: unknown;
  key: string;
  resourceLimits: ResourceLimits | undefined;
  timeoutMs: number;
  maxRetries: number;
  options: RunOptions;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One run() call from queue to result. The pool owns every state change. */
export class PoolTask {
  readonly id: number;
  readonly label: string;
  readonly wire: WireTask;
  readonly payload: unknown;
  readonly key: string;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly onCall: TaskCallHandler | undefined;
  readonly shouldRetry: RunOptions['shouldRetry'];
  readonly signal: AbortSignal | undefined;
  readonly queuedAt = Date.now();
  state: TaskState = 'pending';
  attempts = 0;
  worker: PoolWorker | null = null;
  timer: NodeJS.Timeout | null = null;
  assignedAt: number | null = null;
  /** performance.now() when the current attempt was handed to a worker. */
  startedAt = 0;
  onAbort: (() => void) | null = null;
  private readonly resolveFn: (value: unknown) => void;
  private readonly rejectFn: (error: unknown) => void;

  constructor(init: PoolTaskInit) {
    this.id = init.id;
    this.label = init.label;
    this.wire = init.wire;
    this.payload = init.payload;
    this.key = init.key;
    this.resourceLimits = init.resourceLimits;
    this.timeoutMs = init.timeoutMs;
    this.maxRetries = init.maxRetries;
    this.onCall = init.options.onCall;
    this.shouldRetry = init.options.shouldRetry;
    this.signal = init.options.signal;
    this.resolveFn = init.resolve;
    this.rejectFn = init.reject;
  }

  get settled(): boolean {
    return this.state !== 'pending' && this.state !== 'assigned' && this.state !== 'running';
  }

  clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Ends the task once; later calls are ignored. */
  settle(state: 'completed' | 'failed' | 'cancelled' | 'timeout', outcome: unknown): void {
    if (this.settled) return;
    this.clearTimer();
    this.worker = null;
    this.state = state;
    if (this.onAbort !== null) this.signal?.removeEventListener('abort', this.onAbort);
    this.onAbort = null;
    if (state === 'completed') this.resolveFn(outcome);
    else this.rejectFn(outcome);
  }

  snapshot(): TaskSnapshot {
    const running = this.state === 'assigned' && this.worker?.runningTaskId() === this.id;
    return {
      id: this.id,
      label: this.label,
      state: running ? 'running' : this.state,
      attempts: this.attempts,
      workerId: this.worker?.id ?? null,
      queuedAt: this.queuedAt,
      assignedAt: this.assignedAt,
    };
  }
}
