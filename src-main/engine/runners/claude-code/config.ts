import { join } from 'node:path';
import { createRequire } from 'node:module';
import { claudeCodeRunnerSchema } from '../../../../src-shared/workflow';
import { AuthenticationError } from '../../../../src-shared/errors';
import { parseRunnerConfig } from '../config';

const configSchema = claudeCodeRunnerSchema.omit({ kind: true });

export type ClaudeCodeRunnerConfig = ReturnType<typeof configSchema.parse>;

export type Env = Record<string, string | undefined>;

/** Settings with the key, base URL and the child's isolated config directories resolved. */
export interface ClaudeCodeSettings extends ClaudeCodeRunnerConfig {
  apiKey: string;
  /** The environment the Claude Code child gets (nothing else of the engine's leaks in). */
  childEnv: Record<string, string>;
  configDir: string;
  /** The Claude Code binary to start. */
  executable: string;
}

/** The tools an unattended agent could otherwise run with no prompt (none: everything asks). */
export function resolveClaudeCodeSettings(
  raw: Record<string, unknown>,
  env: Env,
  dataDir: string,
  sessionName?: string,
): ClaudeCodeSettings {
  const c = parseRunnerConfig(configSchema, raw, 'claude-code');
  const apiKey = nonEmpty(c.env?.ANTHROPIC_API_KEY) ?? nonEmpty(env.ANTHROPIC_API_KEY);
  if (apiKey === undefined) {
    const where = sessionName ? ` of session "${sessionName}"` : '';
    throw new AuthenticationError(
      'AUTH_REQUIRED',
      `No Anthropic API key for the claude-code runner${where}: set the ANTHROPIC_API_KEY ` +
        'environment variable for the engine',
      { details: { setting: 'ANTHROPIC_API_KEY' } },
    );
  }
  const baseURL = c.baseURL ?? nonEmpty(env.ANTHROPIC_BASE_URL);
  // Claude Code reads its settings, credentials and transcripts from HOME/CLAUDE_CONFIG_DIR: give
  // the child its own under the engine's data dir, so a person's ~/.claude never leaks in or out.
  const home = nonEmpty(c.env?.HOME) ?? join(dataDir, 'claude-code', 'home');
  const configDir = nonEmpty(c.env?.CLAUDE_CONFIG_DIR) ?? join(home, '.claude');
  const childEnv: Record<string, string> = {
    PATH: env.PATH ?? '/usr/bin:/bin',
    ...(env.LANG ? { LANG: env.LANG } : {}),
    ...(env.TMPDIR ? { TMPDIR: env.TMPDIR } : {}),
    ...c.env,
    HOME: home,
    CLAUDE_CONFIG_DIR: configDir,
    ANTHROPIC_API_KEY: apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...(baseURL ? { ANTHROPIC_BASE_URL: baseURL } : {}),
  };
  return { ...c, apiKey, childEnv, configDir, executable: claudeCodeExecutable(env) };
}

/** The platform binary from the SDK's optional dependency (resolved, so bundling cannot lose it). */
export function claudeCodeExecutable(env: Env): string {
  const configured = nonEmpty(env.CLAUDE_CODE_EXECUTABLE);
  if (configured) return configured;
  const require = createRequire(import.meta.url);
  const pkg = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
  const bin = process.platform === 'win32' ? 'claude.exe' : 'claude';
  return join(require.resolve(`${pkg}/package.json`).replace(/package\.json$/, ''), bin);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
