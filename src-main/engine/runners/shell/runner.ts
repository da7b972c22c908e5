import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { OrchestrationError, ValidationError } from '../../../../src-shared/errors';
import type { Runner, RunnerContext, RunnerMessage, RunnerResult } from '../types';
import { parseShellConfig, type ShellRunnerConfig } from './config';
import { LineSplitter, TailBuffer } from './lines';
import { groupAlive, terminateGroup } from './process-group';

/** Environment strings above this size are left out (Linux refuses a single string > 128 KiB). */
const MAX_ENV_MESSAGE_BYTES = 100_000;
/** Pause reading stdout while this many PROGRESS_REPORTs wait to be sent; resume below the low mark. */
const REPLY_HIGH_WATER = 256;
const REPLY_LOW_WATER = 64;
const STDERR_TAIL_LINES = 20;
const TAIL_MAX_CHARS = 8_192;

export interface ShellRunnerResult {
  exitCode: 0;
  /** The last `outputLines` lines of stdout, joined by "\n" (bounded to a few KiB). */
  output: string;
  /** Lines of stdout before `output` that were left out to stay within bounds. */
  truncatedLines: number;
}

type StopReason = 'timeout' | 'aborted' | 'disposed';

/** What the runner ends with when ctx.signal aborts: the abort reason if it is already an OrchestrationError. */
function abortError(signal: AbortSignal, what: string): OrchestrationError {
  const reason: unknown = signal.reason;
  if (reason instanceof OrchestrationError) return reason;
  const text =
    reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return new OrchestrationError(
    'INTERNAL_ERROR',
    `${what} was cancelled${text ? `: ${text}` : ''}`,
    {
      severity: 'low',
      recoverable: false,
      details: { cancelled: true },
    },
  );
}

async function checkWorkspace(workspace: string | null): Promise<string> {
  if (workspace === null || workspace === '') {
    throw new ValidationError(
      'INVALID_INPUT',
      'The shell runner needs a workspace: set the session workspace to an existing directory',
      'workspace',
      workspace,
    );
  }
  const info = await stat(workspace).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new ValidationError(
      'INVALID_INPUT',
      `The session workspace "${workspace}" does not exist or is not a directory`,
      'workspace',
      workspace,
    );
  }
  return workspace;
}

function buildEnv(
  config: ShellRunnerConfig,
  message: RunnerMessage,
  messageJson: string,
  ctx: RunnerContext,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...config.env,
    ORCHESTRATION_MESSAGE_TYPE: message.type,
    ORCHESTRATION_MESSAGE_ID: message.id,
    ORCHESTRATION_SESSION: ctx.session.id,
    ORCHESTRATION_SESSION_NAME: ctx.session.name,
  };
  if (Buffer.byteLength(messageJson) <= MAX_ENV_MESSAGE_BYTES) {
    env.ORCHESTRATION_MESSAGE = messageJson;
  } else {
    env.ORCHESTRATION_MESSAGE_TRUNCATED = '1';
    ctx.log(
      'warn',
      `Message ${message.id} is too large for the environment; ORCHESTRATION_MESSAGE is unset (read stdin)`,
    );
  }
  return env;
}

/** One command execution: owns the child, its process group, its output and its settlement. */
class ShellExecution {
  private readonly stdoutTail: TailBuffer;
  private readonly stderrTail = new TailBuffer(STDERR_TAIL_LINES, TAIL_MAX_CHARS);
  private replyChain: Promise<void> = Promise.resolve();
  private pendingReplies = 0;
  private replyFailures = 0;
  private stopReason: StopReason | null = null;
  private stopping: Promise<unknown> | null = null;
  private child: ChildProcess | null = null;
  private exited = false;

  constructor(
    private readonly config: ShellRunnerConfig,
    private readonly ctx: RunnerContext,
  ) {
    this.stdoutTail = new TailBuffer(config.outputLines, TAIL_MAX_CHARS);
  }

  run(cwd: string, env: NodeJS.ProcessEnv, input: string): Promise<RunnerResult> {
    const { config, ctx } = this;
    return new Promise<RunnerResult>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(config.command, config.args, {
          cwd,
          env,
          detached: true,
          shell: config.shell,
          stdio: ['pipe', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (error) {
        reject(this.spawnError(error));
        return;
      }
      this.child = child;
      const pid = child.pid;
      let settled = false;
      const onAbort = (): void => void this.stop('aborted');
      const timer = setTimeout(() => void this.stop('timeout'), config.timeoutMs);

      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        settle();
      };

      child.once('error', (error) => {
        // Spawn failures (ENOENT, EACCES) come here with no pid; later errors also end in 'close'.
        if (child.pid === undefined) finish(() => reject(this.spawnError(error)));
        else ctx.log('warn', `Shell runner process error: ${error.message}`);
      });
      if (pid === undefined) return;

      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal.aborted) void this.stop('aborted');

      const out = new LineSplitter((line) => this.onStdoutLine(line));
      const err = new LineSplitter((line) => {
        this.stderrTail.push(line);
        ctx.log('warn', line);
      });
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
      child.stdin?.on('error', () => undefined); // EPIPE when the command never reads stdin
      child.stdin?.end(input);

      child.once('exit', () => {
        this.exited = true;
        // The leader is gone; anything it left in its group would be an orphan: end it.
        if (this.stopping === null && groupAlive(pid)) {
          ctx.log(
            'warn',
            `Command exited but left processes in its group ${pid}; terminating them`,
          );
          this.stopping = terminateGroup(pid, config.killGraceMs);
        }
        // A process that escaped the group (setsid) may still hold our pipes: do not wait for it
        // forever. (While stdout is paused for slow replies, its buffered lines are still ours.)
        const release = (): void => {
          if (settled) return;
          if (this.pendingReplies >= REPLY_LOW_WATER && this.stopReason === null) {
            setTimeout(release, config.killGraceMs).unref();
            return;
          }
          child.stdout?.destroy();
          child.stderr?.destroy();
        };
        void Promise.resolve(this.stopping).then(() => {
          setTimeout(release, config.killGraceMs).unref();
        });
      });

      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        out.end();
        err.end();
        void (async () => {
          await this.stopping;
          // Progress goes out before the result; a stopped command does not wait for a slow bus.
          if (this.stopReason === null) await this.replyChain;
          finish(() => {
            const outcome = this.outcome(code, signal);
            if (outcome instanceof OrchestrationError) reject(outcome);
            else resolve({ content: outcome });
          });
        })();
      });
    });
  }

  /** Stops the whole process group (SIGTERM, then SIGKILL after the grace period). */
  stop(reason: StopReason): Promise<unknown> {
    const pid = this.child?.pid;
    // A timeout or abort that lands after the command exited does not change its outcome.
    if (this.stopReason === null && !this.exited) this.stopReason = reason;
    if (pid === undefined) return Promise.resolve();
    if (this.stopping === null) {
      this.ctx.log('info', `Stopping shell command (pid ${pid}): ${reason}`);
      this.stopping = terminateGroup(pid, this.config.killGraceMs).then((outcome) => {
        if (outcome === 'survived') {
          this.ctx.log('error', `Process group ${pid} survived SIGKILL`);
        }
        return outcome;
      });
    }
    return this.stopping;
  }

  private onStdoutLine(line: string): void {
    this.stdoutTail.push(line);
    this.pendingReplies += 1;
    if (this.pendingReplies >= REPLY_HIGH_WATER) this.child?.stdout?.pause();
    this.replyChain = this.replyChain
      .then(() => this.ctx.reply('PROGRESS_REPORT', { line }))
      .catch((error: unknown) => {
        this.replyFailures += 1;
        if (this.replyFailures <= 3) {
          const text = error instanceof Error ? error.message : String(error);
          this.ctx.log('warn', `Could not send PROGRESS_REPORT: ${text}`);
        }
      })
      .finally(() => {
        this.pendingReplies -= 1;
        if (this.pendingReplies === REPLY_LOW_WATER) this.child?.stdout?.resume();
      });
  }

  private outcome(
    code: number | null,
    signal: NodeJS.Signals | null,
  ): ShellRunnerResult | OrchestrationError {
    const { config, ctx } = this;
    const details = {
      command: config.command,
      exitCode: code,
      signal,
      stdoutTail: this.stdoutTail.text(),
      stderrTail: this.stderrTail.text(),
    };
    if (this.stopReason === 'timeout') {
      return new OrchestrationError(
        'TASK_TIMEOUT',
        `Command "${config.command}" timed out after ${config.timeoutMs} ms; its process group was killed`,
        { details: { ...details, timeoutMs: config.timeoutMs } },
      );
    }
    if (this.stopReason === 'aborted') return abortError(ctx.signal, `Command "${config.command}"`);
    if (this.stopReason === 'disposed') {
      return new OrchestrationError(
        'WORKER_UNAVAILABLE',
        `Command "${config.command}" was stopped because the shell runner was disposed`,
        { details },
      );
    }
    if (code === 0) {
      return {
        exitCode: 0,
        output: this.stdoutTail.text(),
        truncatedLines: this.stdoutTail.droppedLines,
      };
    }
    const lastErr = this.stderrTail.text().split('\n').filter(Boolean).at(-1);
    const how =
      code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
    return new OrchestrationError(
      'INTERNAL_ERROR',
      `Command "${config.command}" ${how}${lastErr ? `: ${lastErr}` : ''}`,
      { severity: 'high', recoverable: true, details },
    );
  }

  private spawnError(error: unknown): OrchestrationError {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const text = error instanceof Error ? error.message : String(error);
    if (code === 'ENOENT' || code === 'EACCES') {
      return new ValidationError(
        'INVALID_INPUT',
        `Cannot run "${this.config.command}": ${code === 'ENOENT' ? 'command not found' : 'permission denied'}`,
        'config.command',
        this.config.command,
        { cause: error },
      );
    }
    return new OrchestrationError(
      'INTERNAL_ERROR',
      `Cannot start "${this.config.command}": ${text}`,
      {
        cause: error,
      },
    );
  }
}

export interface ShellRunnerOptions {
  /** Defaults applied under each session's own config (e.g. a shorter kill grace in tests). */
  defaults?: Partial<Pick<ShellRunnerConfig, 'timeoutMs' | 'killGraceMs' | 'outputLines'>>;
}

/**
 * The `shell` runner: runs a command in the session's workspace as the leader of its own
 * process group. The message is written to stdin as JSON and put in the environment
 * (ORCHESTRATION_MESSAGE, ORCHESTRATION_MESSAGE_TYPE, ORCHESTRATION_MESSAGE_ID,
 * ORCHESTRATION_SESSION, ORCHESTRATION_SESSION_NAME). Each stdout line is a PROGRESS_REPORT
 * `{ line }`; stderr lines are logged as warnings. Timeout, abort and dispose kill the whole group.
 */
export function createShellRunner(options: ShellRunnerOptions = {}): Runner {
  const running = new Set<ShellExecution>();
  return {
    kind: 'shell',
    async handle(message: RunnerMessage, ctx: RunnerContext): Promise<RunnerResult> {
      const config = parseShellConfig({ ...options.defaults, ...ctx.config });
      if (ctx.signal.aborted) throw abortError(ctx.signal, `Command "${config.command}"`);
      const cwd = await checkWorkspace(ctx.session.workspace);
      let messageJson: string;
      try {
        messageJson = JSON.stringify(message);
      } catch (error) {
        throw new ValidationError(
          'INVALID_MESSAGE',
          'The message cannot be written as JSON',
          'content',
          undefined,
          {
            cause: error,
          },
        );
      }
      const execution = new ShellExecution(config, ctx);
      running.add(execution);
      try {
        return await execution.run(
          cwd,
          buildEnv(config, message, messageJson, ctx),
          `${messageJson}\n`,
        );
      } finally {
        running.delete(execution);
      }
    },
    async dispose(): Promise<void> {
      await Promise.all([...running].map((execution) => execution.stop('disposed')));
    },
  };
}
