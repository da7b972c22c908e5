import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { ValidationError } from '../../../../src-shared/errors';
import type { RunnerLogLevel } from '../types';
import { createAnthropicClient } from './client';
import { readEnv, resolveClaudeSettings, type EnvSource } from './config';
import { contentToPrompt } from './prompt';
import { baseParams } from './runner';
import { streamMessage, type ClaudeUsage } from './stream';

export const DELEGATE_TOOL_NAME = 'delegate';

export interface DepartmentInfo {
  name: string;
  description?: string;
}

export interface DelegateCall {
  /** The tool_use id, to answer with a tool_result later. */
  id: string;
  department: string;
  instruction: string;
}

export interface DelegationPlan {
  /** Valid delegate calls, in the order the model made them. */
  calls: DelegateCall[];
  /** Calls naming an unknown department, missing an instruction, or of another tool. */
  rejected: Array<{ id: string; name: string; input: unknown; reason: string }>;
  /** Any text the model wrote besides the calls. */
  text: string;
  model: string;
  stopReason: string | null;
  usage: ClaudeUsage;
}

export interface PlanDelegationsOptions {
  /** The claude runner config of the director session ({ model, system?, maxTokens?, … }). */
  config: Record<string, unknown>;
  /** The run input; a string as-is, an object's prompt/text/instruction field or its JSON. */
  input: unknown;
  /** The departments connected to the director. */
  departments: Array<string | DepartmentInfo>;
  signal?: AbortSignal;
  env?: EnvSource;
  log?: (level: RunnerLogLevel, text: string) => void;
  onText?: (delta: string) => void;
  /** 'any' (default) makes the model call the tool at least once; 'auto' lets it answer in text. */
  toolChoice?: 'any' | 'auto';
}

/** The `delegate({ department, instruction })` tool, its department argument limited to the given names. */
export function delegateTool(departments: DepartmentInfo[]): Tool {
  const list = departments
    .map((d) => `- ${d.name}${d.description ? `: ${d.description}` : ''}`)
    .join('\n');
  return {
    name: DELEGATE_TOOL_NAME,
    description:
      'Give one department a piece of the work. Call once per department that should act, ' +
      `with a self-contained instruction. Departments:\n${list}`,
    input_schema: {
      type: 'object',
      properties: {
        department: {
          type: 'string',
          enum: departments.map((d) => d.name),
          description: 'The department that gets this instruction',
        },
        instruction: { type: 'string', description: 'What the department should do' },
      },
      required: ['department', 'instruction'],
    },
  };
}

const DIRECTOR_SYSTEM =
  'You are the director of a team of departments. Split the task you are given into ' +
  'instructions for the departments that should work on it, and hand each one out with the ' +
  `${DELEGATE_TOOL_NAME} tool.`;

/**
 * For the "claude director" strategy: sends the run input with a `delegate` tool listing the
 * departments and returns the delegate calls the model made (one streamed request, no tool loop).
 */
export async function planDelegations(options: PlanDelegationsOptions): Promise<DelegationPlan> {
  const departments = options.departments.map((d) => (typeof d === 'string' ? { name: d } : d));
  if (departments.length === 0) {
    throw new ValidationError(
      'INVALID_INPUT',
      'The director has no departments to delegate to',
      'departments',
      [],
    );
  }
  const settings = resolveClaudeSettings(options.config, await readEnv(options.env));
  const client = createAnthropicClient(settings, options.log);
  const answer = await streamMessage(
    client,
    {
      ...baseParams(settings),
      system: settings.system ? `${DIRECTOR_SYSTEM}\n\n${settings.system}` : DIRECTOR_SYSTEM,
      messages: [{ role: 'user', content: contentToPrompt(options.input) }],
      tools: [delegateTool(departments)],
      tool_choice: { type: options.toolChoice ?? 'any' },
    },
    { signal: options.signal, maxRetries: settings.maxRetries, onText: options.onText },
  );

  const names = new Set(departments.map((d) => d.name));
  const plan: DelegationPlan = {
    calls: [],
    rejected: [],
    text: answer.text,
    model: answer.model,
    stopReason: answer.stopReason,
    usage: answer.usage,
  };
  for (const call of answer.toolCalls) {
    const input = (call.input ?? {}) as { department?: unknown; instruction?: unknown };
    const reject = (reason: string): void => {
      plan.rejected.push({ id: call.id, name: call.name, input: call.input, reason });
    };
    if (call.name !== DELEGATE_TOOL_NAME) reject(`unknown tool "${call.name}"`);
    else if (typeof input.department !== 'string' || !names.has(input.department)) {
      reject(`unknown department ${JSON.stringify(input.department)}`);
    } else if (typeof input.instruction !== 'string' || input.instruction.trim() === '') {
      reject('missing instruction');
    } else {
      plan.calls.push({
        id: call.id,
        department: input.department,
        instruction: input.instruction,
      });
    }
  }
  return plan;
}
