import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import type { MessageType } from '../../src-shared/domain';
import type {
  RunnerContext,
  RunnerLogLevel,
  RunnerMessage,
} from '../../src-main/engine/runners/types';
import { createShellRunner } from '../../src-main/engine/runners/shell';

interface Recorded {
  ctx: RunnerContext;
  controller: AbortController;
  replies: Array<{ type: MessageType; content: unknown }>;
  logs: Array<{ level: RunnerLogLevel; text: string }>;
}

function makeCtx(
  workspace: string | null,
  config: Record<string, unknown>,
  onReply?: (content: unknown) => void,
): Recorded {
  const controller = new AbortController();
  const replies: Recorded['replies'] = [];
  const logs: Recorded['logs'] = [];
  const ctx: RunnerContext = {
    session: { id: 'sess-1', name: 'lint', workspace },
    config,
    signal: controller.signal,
    reply: async (type, content) => {
      replies.push({ type, content });
      onReply?.(content);
    },
    log: (level, text) => logs.push({ level, text }),
  };
  return { ctx, controller, replies, logs };
}

const message: RunnerMessage = {
  id: 'msg-1',
  type: 'COMMAND',
  sender: 'director',
  receiver: 'sess-1',
  content: { action: 'lint', files: ['a.ts', 'b.ts'] },
  metadata: { correlationId: 'c-1' },
};

/** A node script as the command: argument arrays, no shell. */
function node(script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: process.execPath, args: ['-e', script], ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<OrchestrationError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestrationError);
  return error as OrchestrationError;
}

function errnoOf(pid: number): string | undefined {
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

/** Alive and not a zombie (a zombie is dead; under a non-reaping init it may linger). */
function running(pid: number): boolean {
  if (errnoOf(pid) === 'ESRCH') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

let workspace: string;
beforeAll(async () => {
  workspace = await realpath(await mkdtemp(join(tmpdir(), 'shell-runner-')));
});
afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('shell runner', () => {
  it('turns each stdout line into a PROGRESS_REPORT, in order, and resolves with the output', async () => {
    const runner = createShellRunner();
    const { ctx, replies } = makeCtx(
      workspace,
      node("for (let i = 1; i <= 5; i++) console.log('line ' + i); process.stdout.write('last')"),
    );
    const result = await runner.handle(message, ctx);
    expect(replies).toEqual(
      ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'last'].map((line) => ({
        type: 'PROGRESS_REPORT',
        content: { line },
      })),
    );
    expect(result.content).toEqual({
      exitCode: 0,
      output: 'line 1\nline 2\nline 3\nline 4\nline 5\nlast',
      truncatedLines: 0,
    });
  });

  it('keeps only the last lines in the result', async () => {
    const runner = createShellRunner();
    const { ctx, replies } = makeCtx(
      workspace,
      node('for (let i = 1; i <= 100; i++) console.log(i)', { outputLines: 3 }),
    );
    const result = await runner.handle(message, ctx);
    expect(replies).toHaveLength(100);
    expect(result.content).toEqual({ exitCode: 0, output: '98\n99\n100', truncatedLines: 97 });
  });

  it('loses no lines when replies are slower than the output', async () => {
    const runner = createShellRunner();
    const { ctx, replies } = makeCtx(
      workspace,
      node('for (let i = 0; i < 2000; i++) console.log(i)'),
    );
    ctx.reply = async (type, content) => {
      await new Promise((resolve) => setImmediate(resolve));
      replies.push({ type, content });
    };
    await runner.handle(message, ctx);
    expect(replies.map((r) => Number((r.content as { line: string }).line))).toEqual(
      Array.from({ length: 2000 }, (_, i) => i),
    );
  });

  it('passes the message as JSON on stdin and in the environment, and runs in the workspace', async () => {
    const runner = createShellRunner();
    const script = `
      let input = '';
      process.stdin.on('data', (c) => (input += c));
      process.stdin.on('end', () => {
        console.log(JSON.stringify({
          stdin: JSON.parse(input),
          env: JSON.parse(process.env.ORCHESTRATION_MESSAGE),
          type: process.env.ORCHESTRATION_MESSAGE_TYPE,
          session: process.env.ORCHESTRATION_SESSION,
          extra: process.env.EXTRA_VAR,
          cwd: process.cwd(),
        }));
      });`;
    const { ctx, replies } = makeCtx(workspace, node(script, { env: { EXTRA_VAR: 'yes' } }));
    await runner.handle(message, ctx);
    expect(replies).toHaveLength(1);
    const seen = JSON.parse((replies[0]?.content as { line: string }).line) as Record<
      string,
      unknown
    >;
    expect(seen.stdin).toEqual(message);
    expect(seen.env).toEqual(message);
    expect(seen.type).toBe('COMMAND');
    expect(seen.session).toBe('sess-1');
    expect(seen.extra).toBe('yes');
    expect(seen.cwd).toBe(workspace);
  });

  it('sends stderr lines to the log as warnings', async () => {
    const runner = createShellRunner();
    const { ctx, logs, replies } = makeCtx(
      workspace,
      node("console.error('careful'); console.log('ok')"),
    );
    await runner.handle(message, ctx);
    expect(logs).toContainEqual({ level: 'warn', text: 'careful' });
    expect(replies).toEqual([{ type: 'PROGRESS_REPORT', content: { line: 'ok' } }]);
  });

  it('rejects a non-zero exit with the exit code and the stderr tail', async () => {
    const runner = createShellRunner();
    const { ctx } = makeCtx(
      workspace,
      node("console.log('working'); console.error('boom: bad input'); process.exit(3)"),
    );
    const error = await rejection(runner.handle(message, ctx));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toContain('exited with code 3');
    expect(error.message).toContain('boom: bad input');
    expect(error.details).toMatchObject({
      exitCode: 3,
      stderrTail: 'boom: bad input',
      stdoutTail: 'working',
    });
  });

  it('runs a shell command line only when shell: true is set', async () => {
    const runner = createShellRunner();
    const { ctx, replies } = makeCtx(workspace, {
      command: 'echo "$ORCHESTRATION_MESSAGE_TYPE" | tr A-Z a-z',
      shell: true,
    });
    await runner.handle(message, ctx);
    expect(replies).toEqual([{ type: 'PROGRESS_REPORT', content: { line: 'command' } }]);

    const plain = makeCtx(workspace, { command: 'echo hi | cat' });
    const error = await rejection(runner.handle(message, plain.ctx));
    expect(error.code).toBe('INVALID_INPUT'); // no program called "echo hi | cat"
  });

  it('refuses a workspace that does not exist, and a bad config', async () => {
    const runner = createShellRunner();
    const missing = makeCtx(join(workspace, 'nope'), node('1'));
    const error = await rejection(runner.handle(message, missing.ctx));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('does not exist');

    const bad = makeCtx(workspace, { args: ['x'] });
    expect((await rejection(runner.handle(message, bad.ctx))).code).toBe('INVALID_INPUT');
    const both = makeCtx(workspace, { command: 'ls', args: ['-l'], shell: true });
    expect((await rejection(runner.handle(message, both.ctx))).code).toBe('INVALID_INPUT');
  });

  it('kills the process group on timeout and rejects with TASK_TIMEOUT', async () => {
    const runner = createShellRunner();
    const pids: number[] = [];
    const { ctx } = makeCtx(
      workspace,
      node('console.log(process.pid); setInterval(() => {}, 1000)', {
        timeoutMs: 1_500,
        killGraceMs: 500,
      }),
      (content) => pids.push(Number((content as { line: string }).line)),
    );
    const error = await rejection(runner.handle(message, ctx));
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(error.details).toMatchObject({ timeoutMs: 1_500 });
    expect(pids).toHaveLength(1);
    expect(errnoOf(pids[0]!)).toBe('ESRCH');
  });

  it('on abort kills a child that ignores SIGTERM together with its grandchild', async () => {
    const runner = createShellRunner();
    const script = `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {});
      const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
      console.log(JSON.stringify({ child: process.pid, grandchild: sleeper.pid }));
      setInterval(() => {}, 1000);`;
    let pids: { child: number; grandchild: number } | undefined;
    const recorded = makeCtx(workspace, node(script, { killGraceMs: 300 }), (content) => {
      pids = JSON.parse((content as { line: string }).line) as typeof pids;
      recorded.controller.abort();
    });
    const error = await rejection(runner.handle(message, recorded.ctx));
    expect(error.details).toMatchObject({ cancelled: true });
    expect(pids).toBeDefined();
    expect(errnoOf(pids!.child)).toBe('ESRCH');
    expect(errnoOf(pids!.grandchild)).toBe('ESRCH');
  });

  it('SIGKILLs a grandchild that also ignores SIGTERM', async () => {
    const runner = createShellRunner();
    const stubborn = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const script = `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {});
      const g = spawn(process.execPath, ['-e', ${JSON.stringify(stubborn)}], { stdio: 'ignore' });
      setTimeout(() => console.log(JSON.stringify({ child: process.pid, grandchild: g.pid })), 100);
      setInterval(() => {}, 1000);`;
    let pids: { child: number; grandchild: number } | undefined;
    const recorded = makeCtx(workspace, node(script, { killGraceMs: 200 }), (content) => {
      pids = JSON.parse((content as { line: string }).line) as typeof pids;
      recorded.controller.abort(new OrchestrationError('TASK_TIMEOUT', 'session timed out'));
    });
    const error = await rejection(runner.handle(message, recorded.ctx));
    expect(error.code).toBe('TASK_TIMEOUT'); // the abort reason is passed through
    expect(running(pids!.child)).toBe(false);
    expect(running(pids!.grandchild)).toBe(false);
  });

  it('ends background processes a successful command left in its group', async () => {
    const runner = createShellRunner();
    const script = `
      const { spawn } = require('node:child_process');
      const s = spawn('sleep', ['30'], { stdio: 'ignore' });
      s.unref();
      console.log(s.pid);`;
    const pids: number[] = [];
    const { ctx } = makeCtx(workspace, node(script, { killGraceMs: 300 }), (content) =>
      pids.push(Number((content as { line: string }).line)),
    );
    const result = await runner.handle(message, ctx);
    expect(result.content).toMatchObject({ exitCode: 0 });
    expect(running(pids[0]!)).toBe(false);
  });

  it('dispose() stops running commands', async () => {
    const runner = createShellRunner({ defaults: { killGraceMs: 200 } });
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const { ctx } = makeCtx(workspace, node("console.log('up'); setInterval(() => {}, 1000)"), () =>
      started(),
    );
    const pending = runner.handle(message, ctx);
    await ready;
    await runner.dispose?.();
    const error = await rejection(pending);
    expect(error.code).toBe('WORKER_UNAVAILABLE');
  });

  it('an already aborted signal refuses to start', async () => {
    const runner = createShellRunner();
    const { ctx, controller, replies } = makeCtx(workspace, node("console.log('should not run')"));
    controller.abort();
    await rejection(runner.handle(message, ctx));
    expect(replies).toEqual([]);
  });
});
