/**
 * Starts the Claude Code child in its own process group, so ending it ends everything it started
 * (Bash tool commands, their children): SIGTERM to the group, SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';

const GRACE_MS = 2_000;
const STDERR_TAIL = 4_096;

export interface AgentProcess {
  spawn(options: SpawnOptions): SpawnedProcess;
  /** The child's pid once started (its process group id too). */
  readonly pid: number | undefined;
  /** The last few KB the child wrote to stderr (for an error message). */
  stderr(): string;
  /** Ends the whole process group; resolves when the child has exited. */
  kill(): Promise<void>;
}

export function agentProcess(): AgentProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let tail = '';
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    get pid() {
      return child?.pid;
    },
    spawn(options) {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env as NodeJS.ProcessEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
      const c = child;
      c.stderr?.setEncoding('utf8');
      c.stderr?.on('data', (chunk: string) => (tail = (tail + chunk).slice(-STDERR_TAIL)));
      exited = new Promise((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) resolve();
        else c.once('exit', () => resolve());
      });
      // The SDK's own abort path closes stdin first and waits; this makes sure the group goes too.
      options.signal.addEventListener('abort', () => signalGroup('SIGTERM'), { once: true });
      return c as unknown as SpawnedProcess;
    },
    stderr: () => tail,
    async kill() {
      if (!child) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), GRACE_MS);
      await exited;
      clearTimeout(timer);
      // Grandchildren that outlived the leader (same group) are ended too.
      signalGroup('SIGKILL');
    },
  };
}
