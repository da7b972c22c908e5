/**
 * The `manual` runner: a person is the worker. The message waits (listed by `waiting()`) until
 * someone answers it from the inspector (`answer`), which becomes the department's result; a
 * cancelled run withdraws it.
 */
import { OrchestrationError, ValidationError } from '../../../src-shared/errors';
import type { Runner, RunnerMessage, RunnerResult } from '../runners/types';

export interface WaitingMessage {
  messageId: string;
  runId: string | null;
  sessionId: string;
  sessionName: string;
  type: string;
  content: unknown;
  since: number;
}

interface Entry extends WaitingMessage {
  resolve: (result: RunnerResult) => void;
}

export class ManualDesk {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  readonly runner: Runner = {
    kind: 'manual',
    handle: (message: RunnerMessage, ctx) =>
      new Promise<RunnerResult>((resolve, reject) => {
        const runId = typeof message.metadata.runId === 'string' ? message.metadata.runId : null;
        const withdraw = (): void => {
          this.entries.delete(message.id);
          reject(
            ctx.signal.reason instanceof OrchestrationError
              ? ctx.signal.reason
              : new OrchestrationError('INTERNAL_ERROR', 'The manual task was withdrawn', {
                  severity: 'low',
                  details: { cancelled: true },
                }),
          );
        };
        if (ctx.signal.aborted) return withdraw();
        ctx.signal.addEventListener('abort', withdraw, { once: true });
        this.entries.set(message.id, {
          messageId: message.id,
          runId,
          sessionId: ctx.session.id,
          sessionName: ctx.session.name,
          type: message.type,
          content: message.content,
          since: this.now(),
          resolve: (result) => {
            ctx.signal.removeEventListener('abort', withdraw);
            resolve(result);
          },
        });
        ctx.log('info', `Waiting for a person to answer ${message.type} ${message.id}`);
      }),
  };

  /** Messages waiting for an answer, oldest first; optionally only one run's. */
  waiting(runId?: string): WaitingMessage[] {
    return [...this.entries.values()]
      .filter((e) => runId === undefined || e.runId === runId)
      .map(({ resolve: _resolve, ...rest }) => rest);
  }

  answer(messageId: string, content: unknown): void {
    const entry = this.entries.get(messageId);
    if (!entry) {
      throw new ValidationError(
        'INVALID_INPUT',
        `No message "${messageId}" is waiting for an answer (answered already, or its run ended).`,
        'messageId',
        messageId,
      );
    }
    this.entries.delete(messageId);
    entry.resolve({ content: content ?? null });
  }
}
