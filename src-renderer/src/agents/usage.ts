/**
 * Tokens and cost from agents' reports, per session and rolled up to the director and the run.
 * A COMPLETION_NOTIFICATION carries one task's usage and cost; PROGRESS_REPORTs may carry what a
 * task used so far (counted only after the session's last completion, so nothing counts twice).
 */
import type { Message } from '../../../src-shared/types';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export const NO_USAGE: Usage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
};

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const pick = (o: Record<string, unknown>, ...keys: string[]): number => {
  for (const k of keys) if (typeof o[k] === 'number') return num(o[k]);
  return 0;
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The usage a report's content carries (`usage` or `tokens`, camelCase or the API's snake_case,
 * and `costUsd`/`cost`), or null when it carries none.
 */
export function usageOf(content: unknown): Usage | null {
  if (!isObject(content)) return null;
  const u = isObject(content.usage)
    ? content.usage
    : isObject(content.tokens)
      ? content.tokens
      : null;
  const cost = pick(content, 'costUsd', 'cost', 'total_cost_usd');
  if (!u && !('costUsd' in content) && !('cost' in content)) return null;
  return {
    inputTokens: u ? pick(u, 'inputTokens', 'input_tokens', 'input') : 0,
    outputTokens: u ? pick(u, 'outputTokens', 'output_tokens', 'output') : 0,
    cacheReadTokens: u
      ? pick(u, 'cacheReadInputTokens', 'cache_read_input_tokens', 'cacheRead')
      : 0,
    cacheWriteTokens: u
      ? pick(u, 'cacheCreationInputTokens', 'cache_creation_input_tokens', 'cacheWrite')
      : 0,
    costUsd: cost,
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

export const totalTokens = (u: Usage): number =>
  u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;

/**
 * One session's usage from the reports it sent: every completion, plus progress reports newer
 * than its last completion (the task still going). Order of `messages` does not matter.
 */
export function sessionUsage(messages: readonly Message[]): Usage {
  let lastCompletion = -Infinity;
  for (const m of messages) {
    if (m.type === 'COMPLETION_NOTIFICATION')
      lastCompletion = Math.max(lastCompletion, m.timestamp);
  }
  let total = NO_USAGE;
  for (const m of messages) {
    const counts =
      m.type === 'COMPLETION_NOTIFICATION' ||
      (m.type === 'PROGRESS_REPORT' && m.timestamp > lastCompletion);
    const u = counts ? usageOf(m.content) : null;
    if (u) total = addUsage(total, u);
  }
  return total;
}

export interface SessionUsageRow {
  /** Workflow session id. */
  id: string;
  name: string;
  type: 'director' | 'department' | 'observer';
  usage: Usage;
}

export interface RunUsage {
  /** Every department's own usage, in the order given. */
  departments: SessionUsageRow[];
  /** The director's own agent (a Claude director), if any. */
  director: SessionUsageRow | null;
  /** Director and every department: what the run cost. */
  total: Usage;
}

export function rollUp(rows: readonly SessionUsageRow[]): RunUsage {
  const departments = rows.filter((r) => r.type === 'department');
  const director = rows.find((r) => r.type === 'director') ?? null;
  const total = rows.reduce((sum, r) => addUsage(sum, r.usage), NO_USAGE);
  return { departments, director, total };
}

const tokenFormat = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

export const formatTokens = (n: number): string => tokenFormat.format(n);
/** "$0.0123"; tiny costs keep four decimals so they do not show as $0.00. */
export const formatUsd = (n: number): string => usd.format(n);
