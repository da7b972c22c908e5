/**
 * The Claude Code director: an agent whose tools act on the bus, in process (createSdkMcpServer):
 *   send_command(department, content)   a COMMAND to a connected department
 *   wait_for_report(department|all, timeoutMs)  its COMPLETION_NOTIFICATION / ERROR
 *   request_merge(department)           a MERGE_REQUEST; merged, or the conflicting files
 *   ask_person(question)                waits for a person's answer (permissions.answer)
 * Only departments it has an edge to are offered; another name is refused with a tool error.
 * The agent's final answer completes the run with the cost and tokens of all its departments.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSdkMcpServer, tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { toOrchestrationError } from '../../../../src-shared/errors';
import type { Message } from '../../../../src-shared/types';
import type { WorkflowSession } from '../../../../src-shared/workflow';
import type { DirectorHost } from '../../runs/directors';
import { contentToPrompt } from '../claude/prompt';
import type { RunnerContext } from '../types';
import type { ClaudeCodeAgents } from './runner';

export const DIRECTOR_SERVER = 'orchestration';
const TOOL_NAMES = ['send_command', 'wait_for_report', 'request_merge', 'ask_person'] as const;
export const DIRECTOR_TOOLS = TOOL_NAMES.map((t) => `mcp__${DIRECTOR_SERVER}__${t}`);
const DEFAULT_WAIT_MS = 10 * 60_000;

interface Sent {
  id: string;
  department: WorkflowSession;
  type: 'COMMAND' | 'MERGE_REQUEST';
  answer?: Message;
  waiters: Array<() => void>;
}

type ToolResult = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };
const ok = (value: unknown): ToolResult => ({
  content: [
    { type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) },
  ],
});
const refuse = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true });

export interface ClaudeCodeDirector {
  start(input: unknown): Promise<void>;
  onMessage(message: Message): Promise<void>;
  resume(
    input: unknown,
    history: { sent: readonly Message[]; handled: readonly Message[] },
  ): Promise<void>;
}

export function claudeCodeDirector(
  host: DirectorHost,
  config: Record<string, unknown>,
  agents: ClaudeCodeAgents,
): ClaudeCodeDirector {
  const sent = new Map<string, Sent>();
  const costs = new Map<string, number>();
  const tokens = { input: 0, output: 0 };

  const connected = (): WorkflowSession[] => host.departments();
  const find = (name: string): WorkflowSession | undefined =>
    connected().find((d) => d.name === name || d.id === name);
  const offTarget = (name: string): ToolResult =>
    refuse(
      `"${name}" is not a department this director is connected to; ` +
        `connected departments: ${
          connected()
            .map((d) => d.name)
            .join(', ') || 'none'
        }.`,
    );

  const ctx: RunnerContext = {
    session: {
      id: host.engineId,
      name: host.session.name,
      workspace: host.session.workspace ?? null,
    },
    config,
    signal: host.signal,
    // The director has no one above it: its progress and questions go to the log and the desk.
    reply: async (_type, content) => {
      const text = (content as { text?: unknown } | null)?.text;
      if (typeof text === 'string' && text) host.log('info', text);
    },
    log: (level, text) => host.log(level, text),
  };

  const waitFor = (items: Sent[], timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const open = (): Sent[] => items.filter((s) => !s.answer);
      if (open().length === 0) return resolve(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      const onAbort = (): void => done(false);
      host.signal.addEventListener('abort', onAbort, { once: true });
      function done(all: boolean): void {
        clearTimeout(timer);
        host.signal.removeEventListener('abort', onAbort);
        resolve(all);
      }
      for (const s of open()) {
        s.waiters.push(() => {
          if (open().length === 0) done(true);
        });
      }
    });

  const report = (s: Sent): Record<string, unknown> => {
    const a = s.answer;
    if (!a) return { department: s.department.name, status: 'working' };
    const content = (a.content ?? {}) as Record<string, unknown>;
    if (a.type === 'ERROR') {
      const error = (content.error ?? {}) as { message?: string; code?: string };
      return {
        department: s.department.name,
        status: 'failed',
        error: error.message,
        code: error.code,
      };
    }
    if (s.type === 'MERGE_REQUEST') return { department: s.department.name, ...content };
    return {
      department: s.department.name,
      status: 'completed',
      summary: content.summary ?? content,
      filesTouched: content.filesTouched,
      diffStat: content.diffStat,
      branch: content.branch,
      costUsd: content.costUsd,
    };
  };

  const server = createSdkMcpServer({
    name: DIRECTOR_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'send_command',
        'Give a connected department a task. It works on it in its own git worktree and reports back; ' +
          'collect the report with wait_for_report.',
        {
          department: z.string().describe('The department name'),
          content: z.string().describe('The task'),
        },
        async ({ department, content }) => {
          const target = find(department);
          if (!target) return offTarget(department);
          try {
            const m = await host.send(target.id, 'COMMAND', { instruction: content });
            sent.set(m.id, { id: m.id, department: target, type: 'COMMAND', waiters: [] });
            return ok(`Sent to ${target.name} (message ${m.id}).`);
          } catch (error) {
            return refuse(toOrchestrationError(error).message);
          }
        },
      ),
      tool(
        'wait_for_report',
        'Wait until a department (or "all") has reported on every task sent to it; returns the reports.',
        {
          department: z.string().describe('A department name, or "all"'),
          timeoutMs: z.number().int().positive().max(3_600_000).optional(),
        },
        async ({ department, timeoutMs }) => {
          const target = department === 'all' ? null : find(department);
          if (department !== 'all' && !target) return offTarget(department);
          const items = [...sent.values()].filter(
            (s) => s.type === 'COMMAND' && (target === null || s.department.id === target!.id),
          );
          if (items.length === 0) {
            return refuse(`Nothing was sent to ${department} yet; use send_command first.`);
          }
          const all = await waitFor(items, timeoutMs ?? DEFAULT_WAIT_MS);
          return ok({ complete: all, reports: items.map(report) });
        },
      ),
      tool(
        'request_merge',
        "Merge a department's branch into the run's base branch. A conflict is never forced: " +
          'the conflicting files are returned and the person is told.',
        { department: z.string().describe('The department name') },
        async ({ department }) => {
          const target = find(department);
          if (!target) return offTarget(department);
          try {
            const m = await host.send(target.id, 'MERGE_REQUEST', { merge: true });
            const entry: Sent = {
              id: m.id,
              department: target,
              type: 'MERGE_REQUEST',
              waiters: [],
            };
            sent.set(m.id, entry);
            await waitFor([entry], DEFAULT_WAIT_MS);
            const r = report(entry);
            const merge = r.merge as { merged?: boolean } | undefined;
            return merge?.merged === false || r.status === 'failed'
              ? { ...ok(r), isError: true }
              : ok(r);
          } catch (error) {
            return refuse(toOrchestrationError(error).message);
          }
        },
      ),
      tool(
        'ask_person',
        'Ask the person watching the run a question and wait for the answer.',
        { question: z.string() },
        async ({ question }) => {
          try {
            const answer = await agents.askPerson(
              ctx,
              host.runId,
              { kind: 'question', question },
              host.signal,
              async () => host.log('info', `The director asks: ${question}`),
            );
            return answer.decision === 'deny'
              ? refuse(
                  `The person declined to answer${answer.message ? `: ${answer.message}` : ''}.`,
                )
              : ok(answer.message ?? 'yes');
          } catch (error) {
            return refuse(toOrchestrationError(error).message);
          }
        },
      ),
    ],
  });

  const system =
    'You are the director of departments, each a Claude Code agent working on its own git ' +
    `branch. Your departments: ${connected()
      .map((d) => d.name)
      .join(', ')}. Give them work with ` +
    'send_command, collect their reports with wait_for_report, merge finished work with ' +
    'request_merge, and ask the person with ask_person when you need a decision. End with a summary.';

  const run = async (prompt: string): Promise<void> => {
    try {
      const settings = await agents.settings(ctx);
      // A director edits nothing: without a workspace it gets an empty folder of its own.
      const cwd =
        host.session.workspace ??
        join(agents.options.dataDir, 'claude-code', 'directors', host.runId);
      mkdirSync(cwd, { recursive: true });
      const slot = await agents.agentFor({
        ctx,
        runId: host.runId,
        settings: {
          ...settings,
          appendSystemPrompt: settings.appendSystemPrompt
            ? `${system}\n\n${settings.appendSystemPrompt}`
            : system,
        },
        cwd,
        mcpServers: { [DIRECTOR_SERVER]: server },
        extraAllowedTools: DIRECTOR_TOOLS,
      });
      const turn = await agents.runTask(slot, prompt);
      tokens.input += turn.usage.inputTokens;
      tokens.output += turn.usage.outputTokens;
      const departments = Object.fromEntries(costs);
      const departmentsUsd = [...costs.values()].reduce((a, b) => a + b, 0);
      host.complete({
        summary: turn.text,
        agentSessionId: turn.agentSessionId,
        turns: turn.turns,
        cost: {
          directorUsd: turn.costUsd,
          departmentsUsd: departments,
          totalUsd: turn.costUsd + departmentsUsd,
        },
        tokens,
        reports: [...sent.values()].filter((s) => s.type === 'COMMAND').map(report),
      });
    } catch (error) {
      if (!host.signal.aborted)
        host.fail(`Director failed: ${toOrchestrationError(error).message}`);
    } finally {
      await agents.close(host.engineId);
    }
  };

  const take = (message: Message): void => {
    const asked = message.metadata.correlationId;
    const entry = typeof asked === 'string' ? sent.get(asked) : undefined;
    if (message.type === 'BLOCKED_NOTIFICATION') {
      const text = (message.content as { text?: unknown } | null)?.text;
      host.log('warn', typeof text === 'string' ? text : 'A department is blocked');
    }
    if (!entry || (message.type !== 'COMPLETION_NOTIFICATION' && message.type !== 'ERROR')) return;
    entry.answer = message;
    const content = message.content as {
      costUsd?: unknown;
      usage?: Record<string, unknown>;
    } | null;
    if (typeof content?.costUsd === 'number') {
      const name = entry.department.name;
      costs.set(name, (costs.get(name) ?? 0) + content.costUsd);
      tokens.input += Number(content.usage?.inputTokens) || 0;
      tokens.output += Number(content.usage?.outputTokens) || 0;
    }
    for (const wake of entry.waiters.splice(0)) wake();
  };

  return {
    // Not awaited: the agent's conversation runs beside the director's message handling.
    async start(input) {
      void run(contentToPrompt(input));
    },
    async onMessage(message) {
      take(message);
    },
    async resume(input, history) {
      for (const m of history.sent) {
        const department = host.departmentOf(m.receiverId ?? m.receiver ?? '');
        if (department && (m.type === 'COMMAND' || m.type === 'MERGE_REQUEST')) {
          sent.set(m.id, { id: m.id, department, type: m.type, waiters: [] });
        }
      }
      for (const m of history.handled) take(m);
      void run(
        history.sent.length === 0
          ? contentToPrompt(input)
          : 'The orchestration engine restarted while you were working. Carry on with your task: ' +
              'collect the reports you are waiting for with wait_for_report and finish.',
      );
    },
  };
}
