import type { RunnerContext } from '../types';
import type { AgentProgress } from './agent';

const EVERY_MS = 250;
const INPUT_CHARS = 300;

/**
 * Turns the agent's stream into PROGRESS_REPORTs `{ text?, toolCalls?, filesTouched?, tokens? }`,
 * at most one every 250 ms: what arrives meanwhile is joined into the next report, none is lost.
 */
export class ProgressBatcher {
  private text = '';
  private tools: Array<{ name: string; input: string; file?: string }> = [];
  private files: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: Pick<RunnerContext, 'reply' | 'log'>) {}

  push(event: AgentProgress): void {
    if (event.kind === 'text') this.text += (this.text ? '\n' : '') + event.text;
    else {
      let input = JSON.stringify(event.input) ?? '';
      if (input.length > INPUT_CHARS) input = `${input.slice(0, INPUT_CHARS)}…`;
      this.tools.push({ name: event.name, input, ...(event.file ? { file: event.file } : {}) });
      if (event.file && !this.files.includes(event.file)) this.files.push(event.file);
    }
    this.timer ??= setTimeout(() => this.send(), EVERY_MS);
  }

  /** Sends what is pending now and waits for every report to be handed over. */
  async flush(): Promise<void> {
    this.send();
    await this.sending;
  }

  /** Drops what is pending (the task was cancelled). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.text = '';
    this.tools = [];
    this.files = [];
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.text === '' && this.tools.length === 0) return;
    const content = {
      ...(this.text ? { text: this.text } : {}),
      ...(this.tools.length ? { toolCalls: this.tools } : {}),
      ...(this.files.length ? { filesTouched: this.files } : {}),
    };
    this.text = '';
    this.tools = [];
    this.files = [];
    this.sending = this.sending.then(() =>
      this.ctx.reply('PROGRESS_REPORT', content).catch((error: unknown) => {
        this.ctx.log('warn', `Could not send PROGRESS_REPORT: ${(error as Error).message}`);
      }),
    );
  }
}
