/**
 * Automatic checkpoints: every `autoIntervalMs` while a run is running, and when a run ends
 * (`onRunEnd`). Both are off unless configured. Failures are reported, never thrown into a run.
 * A run that starts running also warms the checkpoint store: a checkpoint, automatic or asked
 * for, is likely while it runs.
 */
import type { Run } from '../../../src-shared/workflow';
import type { EngineEvents } from '../engine-events';
import type { TypedEmitter } from '../events';
import type { CheckpointService } from './index';
import { shownRun } from './labels';

export class AutoCheckpoints {
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private off: (() => void) | undefined;
  private closed = false;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly service: CheckpointService,
    private readonly events: TypedEmitter<EngineEvents>,
  ) {}

  start(): void {
    this.off = this.events.on('run.status', (run) => this.onRun(run));
  }

  /** Stops the timer and waits for a checkpoint being written. */
  async stop(): Promise<void> {
    this.closed = true;
    this.off?.();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pending;
  }

  private onRun(run: Run): void {
    if (run.status === 'running') this.service.warm();
    const { autoIntervalMs, onRunEnd } = this.service.options;
    if (autoIntervalMs === 0 && !onRunEnd) return;
    if (run.status === 'running') this.running.add(run.id);
    else if (run.status !== 'pending') {
      const wasRunning = this.running.delete(run.id);
      if (wasRunning && this.service.options.onRunEnd) {
        this.take(`Run ${shownRun(run.id)} ${run.status}`, run.id);
      }
    }
    this.schedule();
  }

  private schedule(): void {
    const every = this.service.options.autoIntervalMs;
    if (every > 0 && this.running.size > 0 && !this.timer && !this.closed) {
      this.timer = setInterval(() => {
        for (const id of this.running) this.take(`Run ${shownRun(id)} (every ${every} ms)`, id);
      }, every);
      this.timer.unref();
    } else if (this.running.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private take(name: string, runId: string): void {
    if (this.closed || this.service.restoring) return;
    this.pending = this.pending
      // Queued behind another one, it may come due after stop(): then it is not taken.
      .then(() => (this.closed ? undefined : this.service.createAutomatic(name, runId)))
      .catch((error: unknown) =>
        console.error('orchestration: automatic checkpoint failed', error),
      );
  }
}
