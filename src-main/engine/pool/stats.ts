import { WORKER_STATES, type PoolStats, type WorkerState } from './types';

/** Running totals for stats(): worker counts by state and task outcomes. */
export class PoolCounters {
  readonly workers: Record<WorkerState, number> = {
    idle: 0,
    busy: 0,
    unhealthy: 0,
    terminating: 0,
    terminated: 0,
  };
  completed = 0;
  failed = 0;
  timedOut = 0;
  cancelled = 0;
  crashes = 0;
  retries = 0;
  private runTimeTotal = 0;
  private runs = 0;

  /** Moves a worker between states; `from` null for a new worker. `terminated` is cumulative. */
  move(from: WorkerState | null, to: WorkerState): void {
    if (from !== null) this.workers[from]--;
    this.workers[to]++;
  }

  addRunTime(ms: number): void {
    this.runTimeTotal += ms;
    this.runs++;
  }

  snapshot(queued: number, destroyed: boolean): PoolStats {
    const workers = { ...this.workers, total: 0 };
    for (const state of WORKER_STATES) if (state !== 'terminated') workers.total += workers[state];
    return {
      workers,
      queued,
      active: this.workers.busy,
      completed: this.completed,
      failed: this.failed,
      timedOut: this.timedOut,
      cancelled: this.cancelled,
      crashes: this.crashes,
      retries: this.retries,
      avgRunTimeMs: this.runs === 0 ? 0 : this.runTimeTotal / this.runs,
      destroyed,
    };
  }
}
