import { z } from 'zod';
import { parseRunnerConfig } from '../config';
import { AuthenticationError } from '../../../../src-shared/errors';

export const CLAUDE_DEFAULTS = {
  maxTokens: 4_096,
  /** Retries of a request that failed before any byte of the answer (429, 5xx incl. 529, connection errors). */
  maxRetries: 3,
  /** How long to wait for the response to start (the SDK's `timeout`). */
  timeoutMs: 600_000,
} as const;

const configSchema = z.object({
  model: z.string().min(1),
  system: z.string().optional(),
  maxTokens: z.number().int().positive().optional(),
  baseURL: z.string().url().optional(),
  apiKey: z.string().min(1).optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  timeoutMs: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(1).optional(),
});

/** The `claude` runner's settings in a workflow (`apiKey` usually comes from the environment instead). */
export type ClaudeRunnerConfig = z.input<typeof configSchema>;

/** Settings with defaults applied and the API key and base URL resolved. */
export interface ClaudeSettings {
  model: string;
  system: string | undefined;
  maxTokens: number;
  temperature: number | undefined;
  apiKey: string;
  baseURL: string | undefined;
  maxRetries: number;
  timeoutMs: number;
}

export type Env = Record<string, string | undefined>;

/** An environment, or where to read one at each use (the engine's secret store fills in the key). */
export type EnvSource = Env | (() => Promise<Env>);

export async function readEnv(source: EnvSource | undefined): Promise<Env> {
  if (source === undefined) return process.env;
  return typeof source === 'function' ? source() : source;
}

/**
 * Validates the config and resolves the key (config.apiKey, else ANTHROPIC_API_KEY) and base URL
 * (config.baseURL, else ANTHROPIC_BASE_URL, else the SDK default). A missing key is AUTH_REQUIRED.
 * The key itself never appears in an error.
 */
export function resolveClaudeSettings(
  raw: Record<string, unknown>,
  env: Env,
  sessionName?: string,
): ClaudeSettings {
  const c = parseRunnerConfig(configSchema, raw, 'claude');
  const apiKey = c.apiKey ?? nonEmpty(env.ANTHROPIC_API_KEY);
  if (apiKey === undefined) {
    const where = sessionName ? ` of session "${sessionName}"` : '';
    throw new AuthenticationError(
      'AUTH_REQUIRED',
      `No Anthropic API key: set the ANTHROPIC_API_KEY environment variable for the engine, ` +
        `or set apiKey in the claude runner settings${where}`,
      { details: { setting: 'ANTHROPIC_API_KEY' } },
    );
  }
  return {
    model: c.model,
    system: c.system,
    maxTokens: c.maxTokens ?? CLAUDE_DEFAULTS.maxTokens,
    temperature: c.temperature,
    apiKey,
    baseURL: c.baseURL ?? nonEmpty(env.ANTHROPIC_BASE_URL),
    maxRetries: c.maxRetries ?? CLAUDE_DEFAULTS.maxRetries,
    timeoutMs: c.timeoutMs ?? CLAUDE_DEFAULTS.timeoutMs,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
