/**
 * Director strategies: how a run's director hands out the input and decides the run is over.
 *   fan-out  the input to every connected department (DIRECTION); done when all completed,
 *            result { department name → its result }; a department ERROR fails the run.
 *   claude   the model splits the input with a `delegate` tool call per department
 *            (planDelegations); then as fan-out over the departments it chose.
 *   script   the director's own handle(message, ctx) gets the input (a COMMAND from "run"), then
 *            every message its departments send; it returns { complete: result } or
 *            { fail: reason } to end the run, anything else to keep waiting.
 */
import type { MessageType } from '../../../src-shared/domain';
import { OrchestrationError, toOrchestrationError } from '../../../src-shared/errors';
import type { Message } from '../../../src-shared/types';
import type { RunnerConfig, WorkflowSession } from '../../../src-shared/workflow';
import { planDelegations, type EnvSource } from '../runners/claude';
import { claudeCodeDirector } from '../runners/claude-code/director';
import type { ClaudeCodeAgents } from '../runners/claude-code';
import type { Runner, RunnerLogLevel, RunnerMessage } from '../runners/types';

export interface DirectorHost {
  readonly runId: string;
  readonly engineId: string;
  readonly session: WorkflowSession;
  readonly signal: AbortSignal;
  departments(): WorkflowSession[];
  send(to: string, type: MessageType, content: unknown, correlationId?: string): Promise<Message>;
  log(level: RunnerLogLevel, text: string): void;
  complete(result: unknown): void;
  fail(error: string): void;
  /** The department a run session id (engine) belongs to. */
  departmentOf(engineId: string): WorkflowSession | undefined;
}

export interface Director {
  start(input: unknown): Promise<void>;
  onMessage(message: Message): Promise<void>;
  /** Carries on an interrupted run from its message history (runs.resume). */
  resume(input: unknown, history: DirectorHistory): Promise<void>;
}

/** What a director did before its run was interrupted, read back from the bus. */
export interface DirectorHistory {
  /** Messages the director sent in this run. */
  sent: readonly Message[];
  /** Messages to the director already acknowledged (its subscription took them). */
  handled: readonly Message[];
}

/** Waits for one answer per assignment; shared by fan-out and the claude director. */
class Collector {
  private readonly outstanding = new Map<string, WorkflowSession>();
  private readonly results: Record<string, unknown> = {};

  constructor(private readonly host: DirectorHost) {}

  async assign(work: Array<{ department: WorkflowSession; content: unknown }>): Promise<void> {
    if (work.length === 0) return this.host.fail('The director has no department to give work to');
    const sent = await Promise.all(
      work.map((w) => this.host.send(w.department.id, 'DIRECTION', w.content)),
    );
    sent.forEach((m, i) => this.outstanding.set(m.id, work[i]!.department));
    this.host.log('info', `Gave the work to ${work.map((w) => w.department.name).join(', ')}`);
  }

  async onMessage(message: Message): Promise<void> {
    const asked = message.metadata.correlationId;
    const department = asked ? this.outstanding.get(asked) : undefined;
    if (!department) return; // progress reports, heartbeats, answers to nothing we asked
    if (message.type === 'ERROR') {
      const error = (message.content as { error?: { message?: string; code?: string } } | null)
        ?.error;
      const why = error?.message ?? 'it reported an error';
      return this.host.fail(`Department "${department.name}" failed: ${why}`);
    }
    if (message.type !== 'COMPLETION_NOTIFICATION') return;
    this.outstanding.delete(asked!);
    this.results[department.name] = message.content;
    if (this.outstanding.size === 0) this.host.complete(this.results);
  }

  /** Rebuilds the assignments from the directions sent and replays the answers already taken. */
  async restore(history: DirectorHistory, start: () => Promise<void>): Promise<void> {
    const directions = history.sent.filter((m) => m.type === 'DIRECTION');
    if (directions.length === 0) return start(); // interrupted before any work was given out
    for (const m of directions) {
      const department = this.host.departmentOf(m.receiverId ?? m.receiver ?? '');
      if (department) this.outstanding.set(m.id, department);
    }
    for (const m of history.handled) await this.onMessage(m);
  }
}

export function fanOutDirector(host: DirectorHost): Director {
  const collector = new Collector(host);
  return {
    start: (input) =>
      collector.assign(host.departments().map((department) => ({ department, content: input }))),
    onMessage: (message) => collector.onMessage(message),
    resume: (input, history) =>
      collector.restore(history, () =>
        collector.assign(host.departments().map((department) => ({ department, content: input }))),
      ),
  };
}

export function claudeDirector(
  host: DirectorHost,
  config: Record<string, unknown>,
  env?: EnvSource,
): Director {
  const collector = new Collector(host);
  const director: Director = {
    async start(input) {
      const departments = host.departments();
      const plan = await planDelegations({
        config,
        input,
        departments: departments.map((d) => d.name),
        signal: host.signal,
        log: (level, text) => host.log(level, text),
        ...(env ? { env } : {}),
      });
      if (plan.text) host.log('info', plan.text);
      for (const r of plan.rejected) host.log('warn', `Ignored a delegation: ${r.reason}`);
      const byName = new Map(departments.map((d) => [d.name, d]));
      await collector.assign(
        plan.calls.map((call) => ({
          department: byName.get(call.department)!,
          content: { instruction: call.instruction, input },
        })),
      );
    },
    onMessage: (message) => collector.onMessage(message),
    resume: (input, history) => collector.restore(history, () => director.start(input)),
  };
  return director;
}

export function scriptDirector(
  host: DirectorHost,
  runner: Runner,
  config: Record<string, unknown>,
): Director {
  const handle = async (message: RunnerMessage): Promise<void> => {
    const result = await runner.handle(
      {
        id: message.id,
        type: message.type,
        sender: message.sender,
        receiver: message.receiver,
        content: message.content,
        metadata: message.metadata,
      },
      {
        session: {
          id: host.engineId,
          name: host.session.name,
          workspace: host.session.workspace ?? null,
        },
        config,
        signal: host.signal,
        reply: async (type, content) => {
          if (host.departmentOf(message.sender)) {
            await host.send(message.sender, type, content, message.id);
          }
        },
        log: (level, text) => host.log(level, text),
      },
    );
    const out = result.content as { complete?: unknown; fail?: unknown } | null;
    if (out && typeof out === 'object' && 'complete' in out) host.complete(out.complete);
    else if (out && typeof out === 'object' && 'fail' in out) host.fail(String(out.fail));
  };
  const start = (input: unknown) =>
    handle({
      id: `${host.runId}:input`,
      type: 'COMMAND',
      sender: 'run',
      receiver: host.engineId,
      content: input,
      metadata: { runId: host.runId, from: 'run' },
    });
  return {
    start,
    onMessage: handle,
    // A script keeps its own progress in ctx.state: it gets the input again only if it never
    // sent anything; the answers it had not taken are delivered again by the bus.
    resume: (input, history) => (history.sent.length === 0 ? start(input) : Promise.resolve()),
  };
}

/** The strategy for a director session (a director without a runner fans out). */
export function createDirector(
  host: DirectorHost,
  runner: RunnerConfig | undefined,
  scriptRunner: () => Runner,
  claudeCodeAgents?: () => ClaudeCodeAgents,
  env?: EnvSource,
): Director {
  const { kind, ...config } = runner ?? { kind: 'fan-out' as const };
  if (kind === 'fan-out') return fanOutDirector(host);
  if (kind === 'claude') return claudeDirector(host, config, env);
  if (kind === 'script') return scriptDirector(host, scriptRunner(), config);
  if (kind === 'claude-code' && claudeCodeAgents) {
    return claudeCodeDirector(host, config, claudeCodeAgents());
  }
  throw new OrchestrationError('INVALID_INPUT', `A director cannot run "${kind}"`);
}

export function describeFailure(error: unknown): string {
  return toOrchestrationError(error).message;
}
