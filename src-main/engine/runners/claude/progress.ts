import type { RunnerContext } from '../types';

/**
 * Sends text deltas as PROGRESS_REPORT `{ text }` messages, in order and without losing any:
 * while one report is being sent, later deltas are joined into the next one, so a slow bus gets
 * fewer, larger reports and the stream is never held up.
 */
export class ProgressSender {
  private pending = '';
  private inFlight: Promise<void> | null = null;
  private failures = 0;

  constructor(private readonly ctx: Pick<RunnerContext, 'reply' | 'log'>) {}

  push(text: string): void {
    if (text === '') return;
    this.pending += text;
    if (this.inFlight === null) this.inFlight = this.drain();
  }

  /** Resolves when every pushed delta has been handed to ctx.reply. */
  async flush(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }

  private async drain(): Promise<void> {
    while (this.pending !== '') {
      const text = this.pending;
      this.pending = '';
      try {
        await this.ctx.reply('PROGRESS_REPORT', { text });
      } catch (error) {
        this.failures += 1;
        if (this.failures <= 3) {
          const why = error instanceof Error ? error.message : String(error);
          this.ctx.log('warn', `Could not send PROGRESS_REPORT: ${why}`);
        }
      }
    }
    this.inFlight = null;
  }
}
