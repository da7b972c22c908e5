/**
 * The `claude-code` runner: each department session gets one long-lived Claude Code agent (one
 * streaming-input query) working in its worktree, fed one task per bus message. The agent's
 * stream goes out as PROGRESS_REPORTs; each finished task is committed on the session's branch
 * and answered with { summary, usage, cost, diff stat }. A MERGE_REQUEST merges the branch.
 * Tool permissions the allow rules do not cover wait for a person (PermissionDesk).
 */
import { mkdirSync } from 'node:fs';
import type { CanUseTool, McpServerConfig } from '@anthropic-ai/claude-agent-sdk';
import { OrchestrationError } from '../../../../src-shared/errors';
import type { SessionRegistry } from '../../sessions';
import { readEnv, type EnvSource } from '../claude/config';
import { abortError } from '../claude/errors';
import { contentToPrompt } from '../claude/prompt';
import type { Runner, RunnerContext, RunnerMessage, RunnerResult } from '../types';
import { Agent, type AgentTurn } from './agent';
import { resolveClaudeCodeSettings, type ClaudeCodeSettings } from './config';
import type { PermissionAnswer, PermissionDesk } from './permissions';
import { ProgressBatcher } from './progress';
import { hasTranscript } from './transcript';
import type { DiffStat, WorkspacesPort } from './workspaces';

export interface ClaudeCodeRunnerOptions {
  /** Where the API key, base URL, PATH come from (read at each agent start); defaults to process.env. */
  env?: EnvSource;
  /** The engine's data directory: the agents' own HOME/CLAUDE_CONFIG_DIR live under it. */
  dataDir: string;
  desk: PermissionDesk;
  sessions: SessionRegistry;
  workspaces?: () => WorkspacesPort | undefined;
}

/** What a session keeps in its state so a later agent resumes the same conversation. */
export interface ClaudeCodeState {
  agentSessionId: string;
  totalCostUsd: number;
}

export interface ClaudeCodeTaskResult {
  summary: string;
  text: string;
  agentSessionId: string | null;
  turns: number;
  costUsd: number;
  totalCostUsd: number;
  usage: AgentTurn['usage'];
  toolCalls: number;
  filesTouched: string[];
  branch: string | null;
  commit: string | null;
  diffStat: DiffStat | null;
}

/** Per-agent hooks that depend on the task being handled. */
export interface AgentSlot {
  agent: Agent;
  runId: string | null;
  ctx: RunnerContext;
}

export interface StartAgentInput {
  ctx: RunnerContext;
  runId: string | null;
  settings: ClaudeCodeSettings;
  cwd: string;
  mcpServers?: Record<string, McpServerConfig>;
  extraAllowedTools?: string[];
}

export class ClaudeCodeAgents {
  private readonly slots = new Map<string, AgentSlot>();
  /** Agents being ended (a cancelled task ends its agent without awaiting): dispose waits for them. */
  private readonly closing = new Set<Promise<void>>();

  constructor(readonly options: ClaudeCodeRunnerOptions) {}

  async settings(ctx: RunnerContext): Promise<ClaudeCodeSettings> {
    const env = await readEnv(this.options.env);
    return resolveClaudeCodeSettings(ctx.config, env, this.options.dataDir, ctx.session.name);
  }

  /** The session's live agent, or a new one resuming its stored conversation when it has one. */
  async agentFor(input: StartAgentInput): Promise<AgentSlot> {
    const { ctx } = input;
    const existing = this.slots.get(ctx.session.id);
    if (existing?.agent.alive) {
      existing.ctx = ctx;
      return existing;
    }
    const { settings } = input;
    mkdirSync(settings.configDir, { recursive: true });
    mkdirSync(settings.childEnv.HOME!, { recursive: true });
    const stored = await this.storedState(ctx.session.id);
    let resume: string | undefined;
    if (stored) {
      if (hasTranscript(settings.configDir, stored.agentSessionId)) {
        resume = stored.agentSessionId;
        ctx.log('info', `Resuming Claude Code conversation ${resume}`);
      } else {
        const text =
          `The earlier Claude Code conversation ${stored.agentSessionId} has no transcript ` +
          'left; starting a fresh conversation.';
        ctx.log('warn', text);
        await ctx.reply('PROGRESS_REPORT', { text, resumed: false }).catch(() => undefined);
      }
    }
    const sessionId = ctx.session.id;
    const slot: AgentSlot = {
      runId: input.runId,
      ctx,
      agent: new Agent({
        settings,
        executable: settings.executable,
        cwd: input.cwd,
        ...(resume ? { resume, priorCostUsd: stored?.totalCostUsd ?? 0 } : {}),
        canUseTool: this.canUseTool(sessionId),
        ...(input.mcpServers ? { mcpServers: input.mcpServers } : {}),
        ...(input.extraAllowedTools ? { extraAllowedTools: input.extraAllowedTools } : {}),
        onSessionId: (id) => {
          void this.saveState(sessionId, { agentSessionId: id, totalCostUsd: 0 }).catch(
            (error: unknown) =>
              slot.ctx.log('warn', `Could not store the agent session id: ${String(error)}`),
          );
        },
        log: (level, text) => slot.ctx.log(level, text),
      }),
    };
    this.slots.set(sessionId, slot);
    return slot;
  }

  /** Runs one task on the session's agent; cancelling the task ends the agent's process tree. */
  async runTask(slot: AgentSlot, prompt: string): Promise<AgentTurn> {
    const { ctx } = slot;
    if (ctx.signal.aborted) throw abortError(ctx.signal, 'The Claude Code task');
    const progress = new ProgressBatcher(ctx);
    const onAbort = (): void => void this.close(ctx.session.id, ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const turn = await slot.agent.run(prompt, (event) => progress.push(event));
      await progress.flush();
      const state = { agentSessionId: turn.agentSessionId ?? '', totalCostUsd: turn.totalCostUsd };
      if (state.agentSessionId) await this.saveState(ctx.session.id, state);
      return turn;
    } catch (error) {
      if (ctx.signal.aborted) {
        progress.discard();
        throw abortError(ctx.signal, 'The Claude Code task');
      }
      await progress.flush();
      throw error;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Asks the person through the desk, with the session shown as waiting meanwhile. */
  async askPerson(
    ctx: RunnerContext,
    runId: string | null,
    request:
      { kind: 'tool'; toolName: string; input: unknown } | { kind: 'question'; question: string },
    signal: AbortSignal,
    notify: (requestId: string) => Promise<void>,
  ): Promise<PermissionAnswer> {
    const { sessions, desk } = this.options;
    const id = ctx.session.id;
    const what = request.kind === 'tool' ? `permission to use ${request.toolName}` : 'an answer';
    const asked = desk.ask(
      {
        runId,
        sessionId: id,
        sessionName: ctx.session.name,
        kind: request.kind,
        toolName: request.kind === 'tool' ? request.toolName : null,
        input: request.kind === 'tool' ? request.input : null,
        question: request.kind === 'question' ? request.question : null,
      },
      signal,
    );
    ctx.waitingForPerson?.(true);
    await sessions.setStatus(id, 'idle', `waiting for a person: ${what}`).catch(() => undefined);
    ctx.log('info', `Waiting for a person: ${what} (request ${asked.request.requestId})`);
    await notify(asked.request.requestId).catch((error: unknown) =>
      ctx.log('warn', `Could not send BLOCKED_NOTIFICATION: ${String(error)}`),
    );
    try {
      return await asked.answer;
    } finally {
      ctx.waitingForPerson?.(false);
      if (!signal.aborted) {
        await sessions.setStatus(id, 'active', 'the person answered').catch(() => undefined);
      }
    }
  }

  /** Ends one session's agent (and its process tree). */
  async close(sessionId: string, reason?: unknown): Promise<void> {
    const slot = this.slots.get(sessionId);
    if (!slot) return;
    this.slots.delete(sessionId);
    const closed = slot.agent.close(reason);
    this.closing.add(closed);
    try {
      await closed;
    } finally {
      this.closing.delete(closed);
    }
  }

  /** Ends the agents of a run that ended. */
  async closeRun(runId: string): Promise<void> {
    const ids = [...this.slots].filter(([, s]) => s.runId === runId).map(([id]) => id);
    await Promise.all(ids.map((id) => this.close(id)));
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((id) => this.close(id)));
    // The child processes have exited only when these have settled too.
    await Promise.allSettled([...this.closing]);
  }

  /** The live agent of a session (tests, diagnostics). */
  agentOf(sessionId: string): Agent | undefined {
    return this.slots.get(sessionId)?.agent;
  }

  private canUseTool(sessionId: string): CanUseTool {
    return async (toolName, input, options) => {
      const slot = this.slots.get(sessionId);
      if (!slot) return { behavior: 'deny', message: 'The session has ended' };
      const { ctx, runId } = slot;
      const signal = AbortSignal.any([options.signal, ctx.signal]);
      try {
        const answer = await this.askPerson(
          ctx,
          runId,
          { kind: 'tool', toolName, input },
          signal,
          (requestId) =>
            ctx.reply('BLOCKED_NOTIFICATION', {
              reason: 'permission',
              requestId,
              toolName,
              input,
              text: `${ctx.session.name} asks permission to use ${toolName}`,
            }),
        );
        if (answer.decision === 'allow') {
          return { behavior: 'allow', updatedInput: answer.updatedInput ?? input };
        }
        return { behavior: 'deny', message: answer.message ?? 'The person denied this.' };
      } catch {
        return { behavior: 'deny', message: 'The request was withdrawn.', interrupt: true };
      }
    };
  }

  private async storedState(sessionId: string): Promise<ClaudeCodeState | undefined> {
    const state = (await this.options.sessions.get(sessionId))?.state as
      { claudeCode?: Partial<ClaudeCodeState> } | undefined;
    const cc = state?.claudeCode;
    if (typeof cc?.agentSessionId !== 'string' || cc.agentSessionId === '') return undefined;
    return { agentSessionId: cc.agentSessionId, totalCostUsd: Number(cc.totalCostUsd) || 0 };
  }

  private async saveState(sessionId: string, claudeCode: ClaudeCodeState): Promise<void> {
    const session = await this.options.sessions.get(sessionId);
    if (!session) return;
    await this.options.sessions.update(sessionId, { state: { ...session.state, claudeCode } });
  }
}

export function runIdOf(message: RunnerMessage): string | null {
  return typeof message.metadata.runId === 'string' ? message.metadata.runId : null;
}

function summaryOf(text: string): string {
  const line =
    text
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export function createClaudeCodeRunner(agents: ClaudeCodeAgents): Runner {
  const workspaces = (): WorkspacesPort | undefined => agents.options.workspaces?.();
  return {
    kind: 'claude-code',
    async handle(message: RunnerMessage, ctx: RunnerContext): Promise<RunnerResult> {
      const runId = runIdOf(message);
      const ws = runId ? workspaces()?.get(runId, ctx.session.id) : undefined;
      if (message.type === 'MERGE_REQUEST') return merge(runId, ctx);
      const settings = await agents.settings(ctx);
      const prompt = contentToPrompt(message.content);
      const slot = await agents.agentFor({
        ctx,
        runId,
        settings,
        cwd: ws?.path ?? ctx.session.workspace ?? process.cwd(),
      });
      const turn = await agents.runTask(slot, prompt);
      let commit: string | null = null;
      let diffStat: DiffStat | null = null;
      if (ws && runId) {
        // The finished task's work goes on the department's branch, ready for review and merge.
        const committed = await workspaces()!.commitAll(
          runId,
          ctx.session.id,
          `${ctx.session.name}: ${summaryOf(turn.text) || 'task done'}`,
        );
        commit = committed.commit;
        diffStat = committed.diffStat;
      }
      const content: ClaudeCodeTaskResult = {
        summary: summaryOf(turn.text),
        text: turn.text,
        agentSessionId: turn.agentSessionId,
        turns: turn.turns,
        costUsd: turn.costUsd,
        totalCostUsd: turn.totalCostUsd,
        usage: turn.usage,
        toolCalls: turn.toolCalls.length,
        filesTouched: turn.filesTouched,
        branch: ws?.branch ?? null,
        commit,
        diffStat,
      };
      return { content };
    },
    dispose: () => agents.dispose(),
  };

  /** MERGE_REQUEST: the branch into base; a conflict is reported (BLOCKED) and never forced. */
  async function merge(runId: string | null, ctx: RunnerContext): Promise<RunnerResult> {
    const port = workspaces();
    if (!runId || !port?.get(runId, ctx.session.id)) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Session "${ctx.session.name}" has no worktree to merge (the workflow has no repository).`,
      );
    }
    const result = await port.merge(runId, ctx.session.id);
    if (!result.merged) {
      const files = result.conflicts ?? [];
      await ctx.reply('BLOCKED_NOTIFICATION', {
        reason: 'merge-conflict',
        conflicts: files,
        into: result.into,
        text: `Merging ${ctx.session.name} into ${result.into} conflicts in ${files.join(', ') || 'some files'}; nothing was merged.`,
      });
    }
    return { content: { merge: result } };
  }
}
