import type { MessageType } from '../../../src-shared/domain';

/** The part of a bus message a runner sees. */
export interface RunnerMessage {
  id: string;
  type: MessageType;
  sender: string;
  receiver: string | null;
  content: unknown;
  metadata: Record<string, unknown>;
}

export type RunnerLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the orchestrator gives a runner for one message. */
export interface RunnerContext {
  session: { id: string; name: string; workspace: string | null };
  /** The runner's settings from the workflow (command, model, script source …). Secrets are resolved already. */
  config: Record<string, unknown>;
  /** Aborted when the run is cancelled or the session times out; the runner must stop promptly. */
  signal: AbortSignal;
  /** Sends a message back to the sender of the message being handled (e.g. PROGRESS_REPORT). */
  reply(type: MessageType, content: unknown): Promise<void>;
  log(level: RunnerLogLevel, text: string): void;
  /** The runner waits for a person (true) or stopped waiting (false): no silence timeout meanwhile. */
  waitingForPerson?(waiting: boolean): void;
}

/** A runner's final answer; the orchestrator turns it into a COMPLETION_NOTIFICATION. Failures throw an OrchestrationError. */
export interface RunnerResult {
  content: unknown;
}

export interface Runner {
  readonly kind: string;
  handle(message: RunnerMessage, ctx: RunnerContext): Promise<RunnerResult>;
  /** Releases anything the runner keeps between messages (processes, clients). */
  dispose?(): Promise<void>;
}
