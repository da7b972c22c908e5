import { z } from 'zod';
import { parseRunnerConfig } from '../config';
import { ValidationError } from '../../../../src-shared/errors';

/** Defaults for the shell runner; each can be overridden per session in the workflow. */
export const SHELL_DEFAULTS = {
  /** How long a command may run before its process group is killed (TASK_TIMEOUT). */
  timeoutMs: 300_000,
  /** Time between SIGTERM and SIGKILL when the process group is stopped. */
  killGraceMs: 2_000,
  /** How many trailing stdout lines the final result keeps. */
  outputLines: 50,
} as const;

const configSchema = z.object({
  /** The program to run (argument-array mode) or, with `shell: true`, a shell command line. */
  command: z.string().min(1),
  /** Arguments passed as-is (no shell quoting or expansion). Not allowed with `shell: true`. */
  args: z.array(z.string()).optional(),
  /** Extra environment variables, added to the engine's environment. */
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  killGraceMs: z.number().int().nonnegative().optional(),
  outputLines: z.number().int().positive().max(10_000).optional(),
  /** Opt-in: run `command` through /bin/sh (or cmd.exe). Off by default. */
  shell: z.boolean().optional(),
});

export interface ShellRunnerConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  killGraceMs: number;
  outputLines: number;
  shell: boolean;
}

/** Validates a session's runner config; a bad config is INVALID_INPUT naming the field. */
export function parseShellConfig(raw: Record<string, unknown>): ShellRunnerConfig {
  const c = parseRunnerConfig(configSchema, raw, 'shell');
  if (c.shell === true && c.args !== undefined && c.args.length > 0) {
    throw new ValidationError(
      'INVALID_INPUT',
      'Invalid shell runner config: with shell: true the whole command line goes in `command`; `args` must be empty',
      'config.args',
      c.args,
    );
  }
  return {
    command: c.command,
    args: c.args ?? [],
    env: c.env ?? {},
    timeoutMs: c.timeoutMs ?? SHELL_DEFAULTS.timeoutMs,
    killGraceMs: c.killGraceMs ?? SHELL_DEFAULTS.killGraceMs,
    outputLines: c.outputLines ?? SHELL_DEFAULTS.outputLines,
    shell: c.shell ?? false,
  };
}
