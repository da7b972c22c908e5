/**
 * One department session of a run: takes the work messages addressed to it one at a time, hands
 * each to its runner, and answers the sender along the same edge — COMPLETION_NOTIFICATION with
 * the result, or ERROR with the failure. It also tracks signs of life (runner output, logs) so the
 * run's watchdog can tell a silent session from a busy one.
 */
import { DIRECTOR_TO_DEPARTMENT, type MessageType } from '../../../src-shared/domain';
import { OrchestrationError, toOrchestrationError } from '../../../src-shared/errors';
import type { Message } from '../../../src-shared/types';
import type { WorkflowSession } from '../../../src-shared/workflow';
import type { Runner, RunnerLogLevel, RunnerMessage } from '../runners/types';

/** What a department needs from its run. */
export interface DepartmentHost {
  readonly runId: string;
  readonly signal: AbortSignal;
  now(): number;
  send(
    from: string,
    to: string,
    type: MessageType,
    content: unknown,
    correlationId?: string,
  ): Promise<Message>;
  log(sessionId: string, level: RunnerLogLevel, text: string): void;
  /** The session fell silent past its timeout: mark it `error` and tell the director. */
  timedOut(department: Department, message: Message, silentMs: number): Promise<void>;
}

const WORK: readonly string[] = DIRECTOR_TO_DEPARTMENT;
const HEARTBEAT_MS = 1_000;

export class Department {
  private readonly queue: Message[] = [];
  private pumping: Promise<void> | null = null;
  private current: { message: Message; controller: AbortController } | null = null;
  private lastSign = 0;
  private lastBeat = 0;
  private stopped = false;
  /** The runner waits for a person's answer: silence is expected then. */
  private waiting = false;
  /** Set once the session went silent; it takes no more work. */
  failed = false;

  constructor(
    readonly session: WorkflowSession,
    readonly engineId: string,
    readonly timeoutMs: number,
    private readonly runner: Runner,
    private readonly config: Record<string, unknown>,
    private readonly host: DepartmentHost,
  ) {}

  enqueue(message: Message): void {
    if (this.stopped || this.failed) return;
    if (!WORK.includes(message.type)) return; // heartbeats, acks … need no work
    this.queue.push(message);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** The watchdog's view: how long the session has been working without a sign of life. */
  silentFor(now: number): number {
    // A person may take their time.
    if (!this.current || this.runner.kind === 'manual' || this.waiting) return 0;
    return now - this.lastSign;
  }

  /**
   * Whether to record a heartbeat now: the session showed a sign of life since the last one and
   * at least HEARTBEAT_MS passed (so a chatty runner costs one session write a second, not one per line).
   */
  heartbeatDue(now: number): boolean {
    if (this.lastSign <= this.lastBeat || now - this.lastBeat < HEARTBEAT_MS) return false;
    this.lastBeat = now;
    return true;
  }

  /** Ends the current task (its runner is aborted) because the session went silent. */
  async timeout(now: number): Promise<void> {
    const current = this.current;
    if (!current || this.failed) return;
    this.failed = true;
    const silentMs = now - this.lastSign;
    current.controller.abort(
      new OrchestrationError(
        'TASK_TIMEOUT',
        `Session "${this.session.name}" was silent for ${silentMs} ms (timeout ${this.timeoutMs} ms)`,
        { details: { sessionId: this.engineId, timeoutMs: this.timeoutMs } },
      ),
    );
    await this.host.timedOut(this, current.message, silentMs);
  }

  /** Stops taking work; resolves once the running task (aborted by the run's signal) settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.pumping;
  }

  private sign(): void {
    this.lastSign = this.host.now();
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped && !this.failed) {
      await this.work(this.queue.shift()!);
    }
  }

  private async work(message: Message): Promise<void> {
    const controller = new AbortController();
    const onRunAbort = (): void => controller.abort(this.host.signal.reason);
    if (this.host.signal.aborted) return;
    this.host.signal.addEventListener('abort', onRunAbort, { once: true });
    this.current = { message, controller };
    this.sign();
    const self = this.session.id;
    const replyTo = message.sender;
    const runnerMessage: RunnerMessage = {
      id: message.id,
      type: message.type,
      sender: message.sender,
      receiver: message.receiver,
      content: message.content,
      metadata: message.metadata,
    };
    try {
      const result = await this.runner.handle(runnerMessage, {
        session: { id: this.engineId, name: this.session.name, workspace: this.workspace() },
        config: this.config,
        signal: controller.signal,
        reply: async (type, content) => {
          this.sign();
          await this.host.send(self, replyTo, type, content, message.id);
        },
        log: (level, text) => {
          this.sign();
          this.host.log(this.engineId, level, text);
        },
        waitingForPerson: (waiting) => {
          this.waiting = waiting;
          this.sign();
        },
      });
      if (controller.signal.aborted) return;
      await this.host.send(self, replyTo, 'COMPLETION_NOTIFICATION', result.content, message.id);
    } catch (error) {
      if (controller.signal.aborted) return; // timed out or the run ended: reported elsewhere
      const e = toOrchestrationError(error);
      this.host.log(this.engineId, 'error', `${this.session.name}: ${e.message}`);
      await this.host
        .send(self, replyTo, 'ERROR', { error: e.toJSON() }, message.id)
        .catch((sendError: unknown) =>
          this.host.log(
            this.engineId,
            'error',
            `Could not report the failure: ${toOrchestrationError(sendError).message}`,
          ),
        );
    } finally {
      this.host.signal.removeEventListener('abort', onRunAbort);
      this.current = null;
      this.waiting = false;
    }
  }

  private workspace(): string {
    // A shell needs a directory; without one configured, the engine's working directory.
    return this.session.workspace ?? process.cwd();
  }
}
