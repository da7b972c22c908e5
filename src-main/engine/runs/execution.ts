/**
 * One run in progress: its sessions, its single bus subscription, the edge checks on every
 * message, the director strategy, the departments, the watchdog, and the ending (cancel included):
 * every runner aborted and awaited, sessions moved to a final status, leftover mail consumed.
 */
import { setMaxListeners } from 'node:events';
import type { MessageType } from '../../../src-shared/domain';
import {
  OrchestrationError,
  ValidationError,
  toOrchestrationError,
} from '../../../src-shared/errors';
import type { Message } from '../../../src-shared/types';
import type { Run, RunStatus, WorkflowSession } from '../../../src-shared/workflow';
import type { MessageBus } from '../bus';
import type { TypedEmitter } from '../events';
import type { EngineEvents } from '../engine-events';
import type { RunnerLogLevel } from '../runners/types';
import type { SessionRegistry } from '../sessions';
import type { RunRecord, RunStore } from '../store/port';
import { Topology } from '../workflows/topology';
import { Department, type DepartmentHost } from './department';
import { createDirector, describeFailure, type Director } from './directors';
import type { ResumeHistory } from './resume';
import type { RunnerSet } from './runners';
import { consumeLeftovers, createSessions, finishSessions } from './sessions';

export interface ExecutionDeps {
  bus: MessageBus;
  sessions: SessionRegistry;
  store: RunStore;
  events: TypedEmitter<EngineEvents>;
  runners: RunnerSet;
  now: () => number;
  defaultTimeoutMs: number;
}

export function toRun(r: RunRecord): Run {
  const { workflowRevision: _r, definition: _d, owner: _o, ...run } = r;
  return run;
}

export class RunExecution implements DepartmentHost {
  readonly topology: Topology;
  readonly engineIds = new Map<string, string>();
  private readonly workflowIds = new Map<string, string>();
  private readonly controller = new AbortController();
  private readonly departments = new Map<string, Department>();
  private director: Director | undefined;
  private directorChain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ending: Promise<Run> | undefined;
  private starting: Promise<unknown> = Promise.resolve();
  private resolveFinished!: (run: Run) => void;
  /** Settles with the final run, whatever ended it. */
  readonly finished = new Promise<Run>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private record: RunRecord,
    private readonly deps: ExecutionDeps,
  ) {
    this.topology = new Topology(record.definition);
    // Each department at work listens to the run's signal; a run may have hundreds at once.
    setMaxListeners(0, this.controller.signal);
  }

  ownsSession(engineId: string): boolean {
    return this.workflowIds.has(engineId);
  }

  get runId(): string {
    return this.record.id;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  now(): number {
    return this.deps.now();
  }

  /** Creates the run's sessions, subscribes, and hands the input to the director. */
  start(): Promise<Run> {
    const started = this.begin();
    this.starting = started;
    return started;
  }

  private async begin(): Promise<Run> {
    const { sessions } = this.deps;
    await createSessions(sessions, this.record, this.deps.defaultTimeoutMs, (workflowId, id) => {
      this.engineIds.set(workflowId, id);
      this.workflowIds.set(id, workflowId);
    });
    const moved = await this.deps.store.update(this.runId, ['pending'], {
      status: 'running',
      startedAt: this.now(),
      sessions: Object.fromEntries(this.engineIds),
    });
    if (!moved)
      throw new OrchestrationError('INTERNAL_ERROR', `Run ${this.runId} moved while starting`);
    this.record = moved;
    this.deps.events.emit('run.status', toRun(moved));
    await this.deps.runners.prepareRun(
      this.runId,
      this.record.definition,
      this.engineIds,
      this.signal,
    );
    for (const id of this.engineIds.values()) await sessions.setStatus(id, 'active', 'run started');
    this.attach((director) => director.start(this.record.input));
    return toRun(this.record);
  }

  /**
   * Carries on an interrupted run (runs.resume): its sessions and mail are where they were left.
   * The record is already `running`; `history` says what the director and departments had done.
   */
  resume(history: ResumeHistory): Promise<Run> {
    const resumed = (async () => {
      for (const [workflowId, id] of Object.entries(this.record.sessions)) {
        this.engineIds.set(workflowId, id);
        this.workflowIds.set(id, workflowId);
      }
      await history.reactivate(this.deps.sessions, [...this.engineIds.values()]);
      // The worktrees are still there: found again (prepare reuses them), so agents resume in them.
      await this.deps.runners.prepareRun(
        this.runId,
        this.record.definition,
        this.engineIds,
        this.signal,
      );
      this.attach((director) =>
        director.resume(
          this.record.input,
          history.director(this.engineIds.get(this.topology.director!.id)!),
        ),
      );
      // Work taken (acknowledged) by a department that never answered it: handled again.
      for (const dept of this.departments.values()) {
        for (const message of history.unanswered(dept.engineId)) dept.enqueue(message);
      }
      return toRun(this.record);
    })();
    this.starting = resumed;
    return resumed;
  }

  /** Departments, the subscription, the watchdog and the director: a run's moving parts. */
  private attach(begin: (director: Director) => Promise<void>): void {
    const { bus } = this.deps;
    for (const s of this.record.definition.sessions) {
      if (s.type !== 'department') continue;
      const { kind, ...config } = s.runner!;
      const runner = this.deps.runners.get(kind as Exclude<typeof kind, 'fan-out'>);
      const timeoutMs = s.limits?.timeoutMs ?? this.deps.defaultTimeoutMs;
      const dept = new Department(s, this.engineIds.get(s.id)!, timeoutMs, runner, config, this);
      this.departments.set(dept.engineId, dept);
    }
    this.unsubscribe = bus.subscribe(
      { receivers: [...this.engineIds.values()] },
      (message) => this.deliver(message),
      { concurrency: 64 },
    );
    this.startWatchdog();
    const director = this.topology.director!;
    const directorId = this.engineIds.get(director.id)!;
    this.director = createDirector(
      {
        runId: this.runId,
        engineId: directorId,
        session: director,
        signal: this.signal,
        departments: () => this.topology.departmentsOf(director.id),
        send: (to, type, content, correlationId) =>
          this.send(director.id, to, type, content, correlationId),
        log: (level, text) => this.log(directorId, level, text),
        complete: (result) => void this.end('completed', result, null),
        fail: (error) => void this.end('failed', null, error),
        departmentOf: (engineId) =>
          this.topology.sessions.get(this.workflowIds.get(engineId) ?? ''),
      },
      director.runner,
      () => this.deps.runners.scriptRunner(),
      () => this.deps.runners.claudeCodeAgents,
      this.deps.runners.env,
    );
    this.onDirector(() => begin(this.director!));
  }

  /** Publishes along an edge: FORBIDDEN without one, INVALID_MESSAGE for a type it does not carry. */
  async send(
    from: string,
    to: string,
    type: MessageType,
    content: unknown,
    correlationId?: string,
  ): Promise<Message> {
    if (this.ending) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Run ${this.runId} has ended; nothing more is sent.`,
        {
          details: { runId: this.runId },
        },
      );
    }
    const sender = this.resolve(from, 'from');
    const receiver = this.resolve(to, 'to');
    this.topology.check(sender.id, receiver.id, type);
    return this.deps.bus.publish({
      type,
      sender: this.engineIds.get(sender.id)!,
      receiver: this.engineIds.get(receiver.id)!,
      content,
      // from/to: the workflow session ids, so scripts can tell who wrote without engine ids.
      metadata: {
        runId: this.runId,
        from: sender.id,
        to: receiver.id,
        ...(correlationId ? { correlationId } : {}),
      },
    });
  }

  log(sessionId: string, level: RunnerLogLevel, text: string): void {
    this.deps.events.emit('runner.log', { sessionId, runId: this.runId, level, text });
  }

  async timedOut(department: Department, message: Message, silentMs: number): Promise<void> {
    const reason = `silent for ${silentMs} ms, past its timeout of ${department.timeoutMs} ms`;
    this.log(department.engineId, 'error', `${department.session.name}: ${reason}`);
    await this.deps.sessions.setStatus(department.engineId, 'error', reason).catch(() => undefined);
    const error = new OrchestrationError(
      'TASK_TIMEOUT',
      `Department "${department.session.name}" timed out: ${reason}`,
      {
        details: { sessionId: department.engineId, timeoutMs: department.timeoutMs },
      },
    );
    await this.send(
      department.session.id,
      message.sender,
      'ERROR',
      { error: error.toJSON() },
      message.id,
    ).catch(() => undefined);
  }

  cancel(reason: string): Promise<Run> {
    return this.end('cancelled', null, reason);
  }

  /**
   * The engine is closing mid-run: stop every runner but leave sessions and mail as they are, so
   * the run is `interrupted` and runs.resume can carry on.
   */
  interrupt(reason: string): Promise<Run> {
    this.ending ??= (async () => {
      await this.starting.catch(() => undefined);
      clearInterval(this.watchdog);
      this.controller.abort(
        new OrchestrationError('INTERNAL_ERROR', `Run ${this.runId} interrupted`, {
          severity: 'low',
          details: { cancelled: true, runId: this.runId },
        }),
      );
      await Promise.allSettled([...this.departments.values()].map((d) => d.stop()));
      await this.directorChain;
      await this.deps.runners.endRun(this.runId).catch(() => undefined);
      this.unsubscribe?.();
      for (const id of this.engineIds.values()) {
        await this.deps.sessions.setStatus(id, 'idle', 'run interrupted').catch(() => undefined);
      }
      const ended = await this.deps.store.update(this.runId, ['pending', 'running'], {
        status: 'interrupted',
        error: reason,
        sessions: Object.fromEntries(this.engineIds),
      });
      if (ended) this.record = ended;
      const run = toRun(this.record);
      if (ended) this.deps.events.emit('run.status', run);
      this.resolveFinished(run);
      return run;
    })();
    return this.ending;
  }

  /** Ends the run once: aborts and awaits every runner, finalises sessions, records the outcome. */
  end(
    status: Exclude<RunStatus, 'pending' | 'running' | 'interrupted'>,
    result: unknown,
    error: string | null,
  ): Promise<Run> {
    this.ending ??= (async () => {
      // A cancel during start waits for the sessions being created, so it can end them all.
      await this.starting.catch(() => undefined);
      clearInterval(this.watchdog);
      this.controller.abort(
        new OrchestrationError('INTERNAL_ERROR', `Run ${this.runId} ended (${status})`, {
          severity: 'low',
          details: { cancelled: true, runId: this.runId },
        }),
      );
      await Promise.allSettled([...this.departments.values()].map((d) => d.stop()));
      await this.directorChain;
      const ids = [...this.engineIds.values()];
      await finishSessions(this.deps.sessions, ids, status, (id, text) =>
        this.log(id, 'warn', text),
      );
      await consumeLeftovers(this.deps.bus, ids);
      this.unsubscribe?.();
      const ended = await this.deps.store.update(this.runId, ['pending', 'running'], {
        status,
        result: result ?? null,
        error,
        endedAt: this.now(),
        sessions: Object.fromEntries(this.engineIds),
      });
      if (ended) this.record = ended;
      const run = toRun(this.record);
      if (ended) this.deps.events.emit('run.status', run);
      this.resolveFinished(run);
      return run;
    })();
    return this.ending;
  }

  private resolve(ref: string, field: string): WorkflowSession {
    const session =
      this.topology.find(ref) ?? this.topology.sessions.get(this.workflowIds.get(ref) ?? '');
    if (!session) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Run ${this.runId} has no session "${ref}".`,
        field,
        ref,
      );
    }
    return session;
  }

  /** The run's one subscription: every message to one of its sessions arrives here. */
  private async deliver(message: Message): Promise<void> {
    if (this.ending) return;
    const to = this.workflowIds.get(message.receiverId ?? message.receiver ?? '');
    if (to === undefined) return; // a broadcast: runs listen only to mail addressed to them
    const from = this.workflowIds.get(message.sender);
    try {
      if (from === undefined) {
        throw new OrchestrationError(
          'FORBIDDEN',
          `Only sessions of run ${this.runId} may write to its sessions`,
        );
      }
      this.topology.check(from, to, message.type);
    } catch (error) {
      // Published straight to the bus around runs.send: refused here, to the dead-letter queue.
      await this.deps.bus.reject(message.id, toOrchestrationError(error).message);
      return;
    }
    const department = this.departments.get(this.engineIds.get(to)!);
    if (department) return department.enqueue(message);
    if (this.topology.sessions.get(to)?.type === 'director') {
      this.onDirector(() => this.director!.onMessage(message));
    }
  }

  /** Director work runs one step at a time, in arrival order; a throw fails the run. */
  private onDirector(step: () => Promise<void>): void {
    this.directorChain = this.directorChain.then(async () => {
      if (this.signal.aborted) return;
      try {
        await step();
      } catch (error) {
        if (!this.signal.aborted)
          void this.end('failed', null, `Director failed: ${describeFailure(error)}`);
      }
    });
  }

  private startWatchdog(): void {
    const timeouts = [...this.departments.values()].map((d) => d.timeoutMs);
    if (timeouts.length === 0) return;
    const every = Math.min(1_000, Math.max(20, Math.floor(Math.min(...timeouts) / 4)));
    this.watchdog = setInterval(() => {
      const now = this.now();
      for (const d of this.departments.values()) {
        if (d.failed) continue;
        if (d.silentFor(now) > d.timeoutMs) void d.timeout(now);
        else if (d.heartbeatDue(now)) {
          void this.deps.sessions.heartbeat(d.engineId).catch(() => undefined);
        }
      }
    }, every);
    this.watchdog.unref();
  }
}
