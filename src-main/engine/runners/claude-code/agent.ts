/**
 * One Claude Code agent: a long-lived streaming-input query() (one child process) fed one task
 * at a time. Each task ends with the agent's `result` message; its text, turns, tokens and cost
 * (the difference in the query's running total) make the task's outcome. The agent's session id
 * comes from its first system/init message.
 */
import {
  query,
  type CanUseTool,
  type McpServerConfig,
  type Query,
  type SDKMessage,
  type SDKResultMessage,
} from '@anthropic-ai/claude-agent-sdk';
import { OrchestrationError } from '../../../../src-shared/errors';
import type { ClaudeCodeSettings } from './config';
import { agentProcess, type AgentProcess } from './process';
import { PromptQueue } from './prompt-queue';

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

/** What the agent did during one task. */
export interface AgentTurn {
  text: string;
  agentSessionId: string | null;
  turns: number;
  costUsd: number;
  totalCostUsd: number;
  usage: AgentUsage;
  toolCalls: Array<{ name: string; input: unknown }>;
  filesTouched: string[];
}

export type AgentProgress =
  { kind: 'text'; text: string } | { kind: 'tool'; name: string; input: unknown; file?: string };

export interface AgentOptions {
  settings: ClaudeCodeSettings;
  executable: string;
  cwd: string;
  /** Resume this conversation (the stored agent session id) instead of starting one. */
  resume?: string;
  /** The running cost total of the resumed conversation, so the first task's cost is its own. */
  priorCostUsd?: number;
  canUseTool?: CanUseTool;
  mcpServers?: Record<string, McpServerConfig>;
  /** Tools allowed with no prompt besides the configured ones (the director's bus tools). */
  extraAllowedTools?: string[];
  onSessionId?: (id: string) => void;
  log: (level: 'debug' | 'info' | 'warn' | 'error', text: string) => void;
}

interface Task {
  resolve: (turn: AgentTurn) => void;
  reject: (error: unknown) => void;
  onProgress: (event: AgentProgress) => void;
  turn: AgentTurn;
}

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

export class Agent {
  private readonly input = new PromptQueue();
  private readonly process: AgentProcess = agentProcess();
  private readonly controller = new AbortController();
  private readonly query: Query;
  private readonly loop: Promise<void>;
  private task: Task | null = null;
  private lastTotalCost: number;
  private closed = false;
  sessionId: string | null;

  constructor(private readonly options: AgentOptions) {
    const s = options.settings;
    this.sessionId = options.resume ?? null;
    this.lastTotalCost = options.priorCostUsd ?? 0;
    this.query = query({
      prompt: this.input,
      options: {
        cwd: options.cwd,
        ...(s.model ? { model: s.model } : {}),
        allowedTools: [...(s.allowedTools ?? []), ...(options.extraAllowedTools ?? [])],
        ...(s.disallowedTools ? { disallowedTools: s.disallowedTools } : {}),
        ...(s.permissionMode ? { permissionMode: s.permissionMode } : {}),
        ...(s.maxTurns ? { maxTurns: s.maxTurns } : {}),
        ...(s.maxBudgetUsd ? { maxBudgetUsd: s.maxBudgetUsd } : {}),
        ...(s.appendSystemPrompt
          ? {
              systemPrompt: {
                type: 'preset' as const,
                preset: 'claude_code' as const,
                append: s.appendSystemPrompt,
              },
            }
          : {}),
        ...(options.resume ? { resume: options.resume } : {}),
        ...(options.canUseTool ? { canUseTool: options.canUseTool } : {}),
        ...(options.mcpServers ? { mcpServers: options.mcpServers } : {}),
        // Only the settings given here: no user/project settings files steer the agent.
        settingSources: [],
        env: s.childEnv,
        pathToClaudeCodeExecutable: options.executable,
        abortController: this.controller,
        spawnClaudeCodeProcess: (spawnOptions) => this.process.spawn(spawnOptions),
      },
    });
    this.loop = this.read();
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Gives the agent one task; resolves with its result. One task at a time. */
  run(prompt: string, onProgress: (event: AgentProgress) => void): Promise<AgentTurn> {
    if (this.closed) {
      return Promise.reject(
        new OrchestrationError('SERVICE_UNAVAILABLE', 'The Claude Code agent has stopped'),
      );
    }
    if (this.task) {
      return Promise.reject(
        new OrchestrationError('INTERNAL_ERROR', 'The Claude Code agent is busy with a task'),
      );
    }
    return new Promise<AgentTurn>((resolve, reject) => {
      this.task = {
        resolve,
        reject,
        onProgress,
        turn: {
          text: '',
          agentSessionId: this.sessionId,
          turns: 0,
          costUsd: 0,
          totalCostUsd: this.lastTotalCost,
          usage: {
            inputTokens: 0,
            outputTokens: 0,
            cacheReadInputTokens: 0,
            cacheCreationInputTokens: 0,
          },
          toolCalls: [],
          filesTouched: [],
        },
      };
      this.input.push(prompt);
    });
  }

  /** Ends the input, aborts the query and ends the child's whole process group. */
  async close(reason?: unknown): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.input.close();
      this.controller.abort(reason);
      this.fail(
        reason ?? new OrchestrationError('INTERNAL_ERROR', 'The Claude Code agent was closed'),
      );
    }
    await this.process.kill();
    await this.loop;
  }

  private fail(error: unknown): void {
    const task = this.task;
    this.task = null;
    task?.reject(error);
  }

  private async read(): Promise<void> {
    try {
      for await (const message of this.query) this.onMessage(message);
      if (!this.closed) {
        this.closed = true;
        this.fail(this.exitError('The Claude Code agent ended'));
      }
    } catch (error) {
      const wasClosed = this.closed;
      this.closed = true;
      if (!wasClosed) {
        this.fail(this.exitError(error instanceof Error ? error.message : String(error)));
      }
    }
  }

  private exitError(what: string): OrchestrationError {
    const stderr = this.process.stderr().trim().split('\n').slice(-5).join('\n');
    return new OrchestrationError('SERVICE_UNAVAILABLE', `${what}${stderr ? `: ${stderr}` : ''}`, {
      details: { agentSessionId: this.sessionId },
    });
  }

  private onMessage(message: SDKMessage): void {
    if (message.type === 'system' && message.subtype === 'init') {
      if (this.sessionId !== message.session_id) {
        this.sessionId = message.session_id;
        this.options.onSessionId?.(message.session_id);
      }
      return;
    }
    const task = this.task;
    if (!task) return;
    if (message.type === 'assistant' && message.parent_tool_use_id === null) {
      for (const block of message.message.content) {
        if (block.type === 'text' && block.text) {
          task.onProgress({ kind: 'text', text: block.text });
        } else if (block.type === 'tool_use') {
          const input = block.input as Record<string, unknown> | null;
          const file =
            FILE_TOOLS.has(block.name) && typeof input?.file_path === 'string'
              ? input.file_path
              : typeof input?.notebook_path === 'string'
                ? input.notebook_path
                : undefined;
          task.turn.toolCalls.push({ name: block.name, input: block.input });
          if (file && !task.turn.filesTouched.includes(file)) task.turn.filesTouched.push(file);
          task.onProgress({
            kind: 'tool',
            name: block.name,
            input: block.input,
            ...(file ? { file } : {}),
          });
        }
      }
      return;
    }
    if (message.type === 'result') this.finish(task, message);
  }

  private finish(task: Task, result: SDKResultMessage): void {
    this.task = null;
    const turn = task.turn;
    turn.agentSessionId = this.sessionId;
    turn.turns = result.num_turns;
    turn.totalCostUsd = result.total_cost_usd;
    turn.costUsd = Math.max(0, result.total_cost_usd - this.lastTotalCost);
    this.lastTotalCost = result.total_cost_usd;
    turn.usage = {
      inputTokens: result.usage.input_tokens ?? 0,
      outputTokens: result.usage.output_tokens ?? 0,
      cacheReadInputTokens: result.usage.cache_read_input_tokens ?? 0,
      cacheCreationInputTokens: result.usage.cache_creation_input_tokens ?? 0,
    };
    if (result.subtype === 'success') {
      turn.text = result.result;
      task.resolve(turn);
      return;
    }
    const limits = this.options.settings;
    const details = {
      agentSessionId: this.sessionId,
      turns: turn.turns,
      costUsd: turn.totalCostUsd,
    };
    if (result.subtype === 'error_max_turns') {
      task.reject(
        new OrchestrationError(
          'TASK_TIMEOUT',
          `Stopped: the agent reached its maxTurns limit (${limits.maxTurns ?? '?'} turns) before finishing`,
          { details: { ...details, limit: 'maxTurns', value: limits.maxTurns ?? null } },
        ),
      );
    } else if (result.subtype === 'error_max_budget_usd') {
      task.reject(
        new OrchestrationError(
          'TASK_TIMEOUT',
          `Stopped: the agent reached its maxBudgetUsd limit ($${limits.maxBudgetUsd ?? '?'}; spent $${turn.totalCostUsd.toFixed(6)})`,
          { details: { ...details, limit: 'maxBudgetUsd', value: limits.maxBudgetUsd ?? null } },
        ),
      );
    } else {
      task.reject(
        new OrchestrationError(
          'INTERNAL_ERROR',
          `The Claude Code agent failed: ${result.errors.join('; ') || result.subtype}`,
          { details },
        ),
      );
    }
  }
}
