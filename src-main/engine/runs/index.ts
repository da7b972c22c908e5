/**
 * engine.runs: start a workflow with an input, watch it, wait for it, cancel it, answer its manual
 * steps, and keep every run as history. Each run in progress is a RunExecution (execution.ts).
 *
 * Restart: a run records the engine instance executing it (`owner`). When an engine starts, runs
 * left `pending`/`running` by a process that is gone are marked `interrupted` (sessions and mail
 * left as they were); `resume(id)` carries such a run on (resume.ts says how).
 */
import type { MessageType } from '../../../src-shared/domain';
import { OrchestrationError, ValidationError } from '../../../src-shared/errors';
import type { Message } from '../../../src-shared/types';
import {
  RUN_STATUSES,
  type Run,
  type RunStatus,
  type Workflow,
} from '../../../src-shared/workflow';
import { newId } from '../ids';
import type { ScriptSendRequest } from '../runners/script';
import type { RunRecord } from '../store/port';
import type { WorkflowService } from '../workflows';
import { validateDefinition } from '../workflows/validate';
import { RunExecution, toRun, type ExecutionDeps } from './execution';
import { ResumeHistory } from './resume';
import type { WaitingMessage } from './manual';
import type { RunnerSet } from './runners';

export type { WaitingMessage };

export interface RunServiceOptions extends Omit<ExecutionDeps, 'runners'> {
  workflows: WorkflowService;
  owner: string;
  runners: (send: (request: ScriptSendRequest) => Promise<void>) => RunnerSet;
  /** Asked before a run starts; throws to refuse it (engine.files: untrusted imported content). */
  beforeStart?: (workflow: Workflow) => Promise<void>;
}

const LIVE: readonly RunStatus[] = ['pending', 'running'];
const OVER: readonly RunStatus[] = RUN_STATUSES.filter((s) => !LIVE.includes(s));

export class RunService {
  private readonly live = new Map<string, RunExecution>();
  private readonly runners: RunnerSet;
  private closed = false;

  constructor(private readonly options: RunServiceOptions) {
    this.runners = options.runners((request) => this.scriptSend(request));
  }

  /** Starts a run of the workflow's current revision; resolves once it is `running`. */
  async start(workflowId: string, input?: unknown): Promise<Run> {
    if (this.closed) throw new OrchestrationError('SERVICE_UNAVAILABLE', 'The engine is closing.');
    const workflow = await this.options.workflows.require(workflowId);
    await this.options.beforeStart?.(workflow);
    const definition = validateDefinition(workflow.definition);
    checkRunnable(definition.sessions);
    const now = this.options.now();
    const record: RunRecord = {
      id: newId(),
      workflowId,
      workflowRevision: workflow.revision,
      definition,
      status: 'pending',
      input: jsonValue(input),
      result: null,
      error: null,
      sessions: {},
      owner: this.options.owner,
      createdAt: now,
      startedAt: null,
      endedAt: null,
    };
    await this.options.store.insert(record);
    this.options.events.emit('run.status', toRun(record));
    return this.launch(record, (e) => e.start());
  }

  async get(id: string): Promise<Run | undefined> {
    const record = await this.options.store.get(requireId(id));
    return record && toRun(record);
  }

  async require(id: string): Promise<Run> {
    const run = await this.get(id);
    if (!run) throw new ValidationError('INVALID_INPUT', `No run with id "${id}".`, 'id', id);
    return run;
  }

  /** Newest first. */
  async list(
    query: { workflowId?: string; status?: RunStatus; limit?: number } = {},
  ): Promise<Run[]> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ValidationError('INVALID_INPUT', 'limit must be 1–10,000.', 'limit', limit);
    }
    const records = await this.options.store.list({
      workflowId: query.workflowId,
      statuses: query.status ? [query.status] : undefined,
      limit,
    });
    return records.map(toRun);
  }

  /** Whether a workflow has a run still going (here or in another engine on the same database). */
  async hasLiveRuns(workflowId: string): Promise<boolean> {
    return (await this.options.store.list({ workflowId, statuses: LIVE, limit: 1 })).length > 0;
  }

  /** Aborts every runner of the run, terminates its sessions; resolves with the `cancelled` run. */
  async cancel(id: string, reason = 'cancelled by request'): Promise<Run> {
    const execution = this.live.get(requireId(id));
    if (execution) return execution.cancel(reason);
    const run = await this.require(id);
    if (LIVE.includes(run.status)) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Run ${id} is executed by another engine process; cancel it there.`,
        { details: { runId: id } },
      );
    }
    return run; // already over: cancelling is a no-op
  }

  /**
   * Removes a run that is over: its record and its departments' worktrees (branches already
   * merged go too; a branch with unmerged work is kept and named in the log). A live run is
   * refused with INVALID_INPUT: cancel it first. The bus keeps its messages (they are history).
   */
  async delete(id: string): Promise<boolean> {
    const run = await this.get(requireId(id));
    if (!run) return false;
    if (LIVE.includes(run.status) || this.live.has(id)) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Run ${id} is ${run.status}; cancel it before deleting it.`,
        { details: { runId: id, status: run.status } },
      );
    }
    if (!(await this.options.store.delete(id, OVER))) return false;
    await this.runners.removeRun(id);
    this.options.events.emit('run.deleted', { runId: id });
    return true;
  }

  /** Resolves with the run once it is over; TASK_TIMEOUT if it still runs after `timeoutMs`. */
  async wait(id: string, timeoutMs = 60_000): Promise<Run> {
    const run = await this.require(id);
    if (!LIVE.includes(run.status)) return run;
    const execution = this.live.get(id);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new OrchestrationError(
              'TASK_TIMEOUT',
              `Run ${id} was still running after ${timeoutMs} ms.`,
              {
                details: { runId: id, timeoutMs },
              },
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([execution ? execution.finished : this.poll(id), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a message inside a run as one of its sessions (the inspector's sandbox). Refused with
   * FORBIDDEN when no edge joins the two sessions, INVALID_MESSAGE when the edge does not carry the type.
   */
  async send(
    runId: string,
    input: { from: string; to: string; type: MessageType; content?: unknown },
  ): Promise<Message> {
    const execution = this.live.get(requireId(runId));
    if (!execution) {
      const run = await this.require(runId);
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Run ${runId} is ${run.status}; it takes no messages.`,
      );
    }
    return execution.send(input.from, input.to, input.type, input.content ?? null);
  }

  /** Manual steps waiting for a person, oldest first. */
  waiting(runId?: string): WaitingMessage[] {
    return this.runners.manual.waiting(runId);
  }

  /** Answers a waiting manual step; its content becomes the department's result. */
  async answer(messageId: string, content: unknown): Promise<void> {
    this.runners.manual.answer(requireId(messageId), jsonValue(content));
  }

  /**
   * At start-up (and after a checkpoint restore): runs whose engine is gone become `interrupted`.
   * Their sessions and mail stay as they were (active sessions go idle) so `resume` can carry on.
   */
  async recover(isDead: (owner: string | null) => boolean): Promise<number> {
    let count = 0;
    for (const record of await this.options.store.list({ statuses: LIVE, limit: 10_000 })) {
      if (!isDead(record.owner)) continue;
      for (const sessionId of Object.values(record.sessions)) {
        const session = await this.options.sessions.get(sessionId);
        if (session?.status === 'active') {
          await this.options.sessions
            .setStatus(sessionId, 'idle', 'run interrupted')
            .catch(() => undefined);
        }
      }
      const ended = await this.options.store.update(record.id, LIVE, {
        status: 'interrupted',
        error:
          `Interrupted: the engine executing this run stopped while it was ${record.status}. ` +
          'Resume it to carry on where it stopped.',
      });
      if (ended) {
        count++;
        this.options.events.emit('run.status', toRun(ended));
      }
    }
    return count;
  }

  /**
   * Carries on an `interrupted` run in this engine: the director gets its assignments back, work a
   * department took but never answered is handed to it again, and unacknowledged mail is delivered
   * again. Resolves with the `running` run; INVALID_INPUT for a run that is not interrupted.
   */
  async resume(id: string): Promise<Run> {
    if (this.closed) throw new OrchestrationError('SERVICE_UNAVAILABLE', 'The engine is closing.');
    const record = await this.options.store.get(requireId(id));
    if (!record) throw new ValidationError('INVALID_INPUT', `No run with id "${id}".`, 'id', id);
    if (record.status !== 'interrupted') {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Run ${id} is ${record.status}; only an interrupted run can be resumed.`,
        { details: { runId: id, status: record.status } },
      );
    }
    if (Object.keys(record.sessions).length === 0) {
      // Interrupted while its sessions were being created: nothing ran yet, so start it afresh.
      const started = await this.options.store.update(id, ['interrupted'], {
        status: 'pending',
        error: null,
        owner: this.options.owner,
      });
      if (!started) throw moved(id);
      return this.launch(started, (e) => e.start());
    }
    // Read before the run subscribes again, so no delivery is counted twice.
    const history = await ResumeHistory.load(this.options.bus, Object.values(record.sessions));
    const running = await this.options.store.update(id, ['interrupted'], {
      status: 'running',
      error: null,
      endedAt: null,
      owner: this.options.owner,
    });
    if (!running) throw moved(id);
    this.options.events.emit('run.status', toRun(running));
    return this.launch(running, (e) => e.resume(history));
  }

  /** The engine is closing: runs in progress become `interrupted` (resumable); runners stop. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.live.values()].map((e) =>
        e.interrupt(
          'Interrupted: the engine closed while this run was running. Resume it to carry on.',
        ),
      ),
    );
    await this.runners.dispose();
  }

  private async launch(
    record: RunRecord,
    go: (execution: RunExecution) => Promise<Run>,
  ): Promise<Run> {
    const execution = new RunExecution(record, { ...this.options, runners: this.runners });
    this.live.set(record.id, execution);
    void execution.finished.then(() => this.live.delete(record.id));
    try {
      return await go(execution);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await execution.end('failed', null, `The run could not start: ${message}`);
      throw error;
    }
  }

  private async scriptSend(request: ScriptSendRequest): Promise<void> {
    // A script's ctx.send names its own session (engine id); find the run it belongs to.
    const execution = [...this.live.values()].find((e) => e.ownsSession(request.from));
    if (!execution) {
      throw new OrchestrationError('FORBIDDEN', 'ctx.send works only inside a running run.');
    }
    await execution.send(
      request.from,
      request.receiver,
      request.type,
      request.content,
      request.inReplyTo,
    );
  }

  private async poll(id: string): Promise<Run> {
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const run = await this.require(id);
      if (!LIVE.includes(run.status)) return run;
    }
  }
}

function checkRunnable(sessions: readonly { type: string; runner?: unknown; id: string }[]): void {
  const directors = sessions.filter((s) => s.type === 'director');
  if (directors.length !== 1) {
    throw new ValidationError(
      'INVALID_INPUT',
      'A run needs a workflow with one director.',
      'sessions',
      directors.length,
    );
  }
  sessions.forEach((s, i) => {
    if (s.type === 'department' && s.runner === undefined) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Department "${s.id}" has no runner; choose what it does (script, shell, claude or manual).`,
        `sessions[${i}].runner`,
        undefined,
        { details: { path: `sessions[${i}].runner` } },
      );
    }
  });
}

function moved(id: string): OrchestrationError {
  return new OrchestrationError(
    'INVALID_INPUT',
    `Run ${id} changed while resuming; read it again.`,
    {
      details: { runId: id },
    },
  );
}

function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (error) {
    throw new ValidationError(
      'INVALID_FORMAT',
      `The input must be JSON: ${(error as Error).message}`,
      'input',
    );
  }
}

function requireId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('MISSING_FIELD', 'An id is required.', 'id', id);
  }
  return id;
}
