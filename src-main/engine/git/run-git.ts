/**
 * The one way the engine runs git: an argument array (never a shell string), no prompts, C
 * locale, and a record of every command for the inspector's "git commands run" list.
 */
import { execFile } from 'node:child_process';
import { constants, setPriority } from 'node:os';
import { OrchestrationError } from '../../../src-shared/errors';

export interface GitCommandRecord {
  args: string[];
  cwd: string;
  startedAt: number;
  durationMs: number;
  /** -1 when git could not be started or was aborted. */
  exitCode: number;
  stderr: string;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunGitOptions {
  cwd: string;
  signal?: AbortSignal;
  /** Extra environment (identity for commits, a temporary index). */
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 for `diff --quiet`, `merge-tree`). */
  okCodes?: readonly number[];
  record?: (entry: GitCommandRecord) => void;
  /** Background work (ready worktrees): the lowest CPU priority, so a person's work goes first. */
  lowPriority?: boolean;
  /** Written to git's standard input (e.g. an `update-ref --stdin` transaction). */
  input?: string;
}

const MAX_OUTPUT = 256 * 1024 * 1024;
const MAX_STDERR_KEPT = 2_000;

/** Git's environment: never ask on a terminal, English messages we can match, no pager. */
function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'echo',
    SSH_ASKPASS: 'echo',
    GIT_PAGER: 'cat',
    LC_ALL: 'C',
    LANGUAGE: 'C',
    ...extra,
  };
}

export function runGit(args: string[], options: RunGitOptions): Promise<GitResult> {
  const startedAt = Date.now();
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: gitEnv(options.env),
        maxBuffer: MAX_OUTPUT,
        signal: options.signal,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
        const exitCode = !failure ? 0 : typeof failure.code === 'number' ? failure.code : -1;
        const trimmed = String(stderr).trim().slice(0, MAX_STDERR_KEPT);
        options.record?.({
          args: [...args],
          cwd: options.cwd,
          startedAt,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          exitCode,
          stderr: trimmed,
        });
        if (exitCode === 0 || (exitCode > 0 && options.okCodes?.includes(exitCode))) {
          resolvePromise({ stdout: String(stdout), stderr: trimmed, exitCode });
          return;
        }
        reject(toError(args, options.cwd, exitCode, trimmed, failure));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    if (options.lowPriority && child.pid !== undefined) {
      try {
        setPriority(child.pid, constants.priority.PRIORITY_LOW);
      } catch {
        // Already exited, or not permitted: it runs at normal priority, which is only slower.
      }
    }
  });
}

function toError(
  args: string[],
  cwd: string,
  exitCode: number,
  stderr: string,
  cause: NodeJS.ErrnoException | null,
): OrchestrationError {
  const command = `git ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' …' : ''}`;
  if (cause?.name === 'AbortError') {
    return new OrchestrationError('INTERNAL_ERROR', `${command} was cancelled.`, {
      recoverable: true,
      details: { args, cwd, aborted: true },
      cause,
    });
  }
  if (cause?.code === 'ENOENT' && exitCode === -1) {
    return new OrchestrationError(
      'SERVICE_UNAVAILABLE',
      `Could not run git in ${cwd}: git is not installed or the folder does not exist.`,
      { details: { args, cwd }, cause },
    );
  }
  const firstLine = stderr.split('\n').find((line) => line.trim()) ?? `exit code ${exitCode}`;
  return new OrchestrationError('INTERNAL_ERROR', `${command} failed: ${firstLine}`, {
    recoverable: true,
    details: { args, cwd, exitCode, stderr },
    cause: cause ?? undefined,
  });
}
