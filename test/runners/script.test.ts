import { afterAll, describe, expect, it } from 'vitest';
import { AuthorizationError, OrchestrationError } from '../../src-shared/errors';
import type { MessageType } from '../../src-shared/domain';
import { createWorkerPool, isAbortError } from '../../src-main/engine/pool';
import {
  createScriptRunner,
  type ScriptSendRequest,
  type ScriptState,
} from '../../src-main/engine/runners/script';
import type {
  RunnerContext,
  RunnerLogLevel,
  RunnerMessage,
} from '../../src-main/engine/runners/types';

const pool = createWorkerPool({ minWorkers: 1, maxWorkers: 2, taskTimeoutMs: 10_000 });
afterAll(async () => {
  await pool.destroy();
  expect(pool.stats().workers.total).toBe(0);
});

const message: RunnerMessage = {
  id: 'msg-1',
  type: 'COMMAND',
  sender: 'director',
  receiver: 'sess-1',
  content: { action: 'count', by: 2 },
  metadata: {},
};

interface Harness {
  runner: ReturnType<typeof createScriptRunner>;
  states: Map<string, ScriptState>;
  sent: ScriptSendRequest[];
  replies: Array<{ type: MessageType; content: unknown }>;
  logs: Array<{ level: RunnerLogLevel; text: string }>;
  handle(
    source: string,
    extra?: { config?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<unknown>;
}

function harness(send?: (request: ScriptSendRequest) => Promise<void>): Harness {
  const states = new Map<string, ScriptState>();
  const sent: ScriptSendRequest[] = [];
  const replies: Harness['replies'] = [];
  const logs: Harness['logs'] = [];
  const runner = createScriptRunner({
    pool,
    send: send ?? (async (request) => void sent.push(request)),
    loadState: async (id) => states.get(id),
    saveState: async (id, state) => void states.set(id, state),
  });
  const handle = async (
    source: string,
    extra: { config?: Record<string, unknown>; signal?: AbortSignal } = {},
  ) => {
    const ctx: RunnerContext = {
      session: { id: 'sess-1', name: 'counter', workspace: null },
      config: { source, ...extra.config },
      signal: extra.signal ?? new AbortController().signal,
      reply: async (type, content) => void replies.push({ type, content }),
      log: (level, text) => void logs.push({ level, text }),
    };
    return (await runner.handle(message, ctx)).content;
  };
  return { runner, states, sent, replies, logs, handle };
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

const counter = `
async function handle(message, ctx) {
  ctx.log('counting by ' + message.content.by);
  ctx.log('warn', 'careful');
  await ctx.reply('PROGRESS_REPORT', { step: 'half way' });
  await ctx.send('dept-2', 'COMMAND', { action: 'next' });
  ctx.state.count = (ctx.state.count ?? 0) + message.content.by;
  const { isMainThread } = await import('node:worker_threads');
  return { count: ctx.state.count, isMainThread, session: ctx.session.name, mode: ctx.config.mode };
}`;

describe('script runner', () => {
  it('runs handle in a worker: reply, send, log and state round trip', async () => {
    const h = harness();
    expect(h.runner.kind).toBe('script');
    const first = await h.handle(counter, { config: { mode: 'fast' } });
    expect(first).toEqual({ count: 2, isMainThread: false, session: 'counter', mode: 'fast' });
    expect(h.replies).toEqual([{ type: 'PROGRESS_REPORT', content: { step: 'half way' } }]);
    expect(h.sent).toEqual([
      {
        from: 'sess-1',
        receiver: 'dept-2',
        type: 'COMMAND',
        content: { action: 'next' },
        inReplyTo: 'msg-1',
      },
    ]);
    expect(h.logs).toEqual([
      { level: 'info', text: 'counting by 2' },
      { level: 'warn', text: 'careful' },
    ]);
    expect(h.states.get('sess-1')).toEqual({ count: 2 });
    expect(await h.handle(counter)).toMatchObject({ count: 4 });
    expect(h.states.get('sess-1')).toEqual({ count: 4 });
  });

  it('keeps state in memory when no store is given, and accepts a replaced ctx.state', async () => {
    const runner = createScriptRunner({ pool, send: async () => {} });
    const source =
      'function handle(m, ctx) { ctx.state = { seen: (ctx.state.seen ?? 0) + 1 }; return ctx.state.seen; }';
    const ctx: RunnerContext = {
      session: { id: 'mem-1', name: 'mem', workspace: null },
      config: { source },
      signal: new AbortController().signal,
      reply: async () => {},
      log: () => {},
    };
    expect((await runner.handle(message, ctx)).content).toBe(1);
    expect((await runner.handle(message, ctx)).content).toBe(2);
  });

  it('rejects a syntax error with INVALID_INPUT', async () => {
    const h = harness();
    const error = await rejection(h.handle('async function handle(message, ctx) { return ; ) }'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/Script syntax error/);
    const moduleStyle = await rejection(h.handle('export default async function handle() {}'));
    expect(moduleStyle.code).toBe('INVALID_INPUT');
    expect(moduleStyle.message).toMatch(/function body/);
    expect((await rejection(h.handle('const x = 1;'))).message).toMatch(
      /must define a function handle/,
    );
    expect((await rejection(h.handle('  '))).code).toBe('MISSING_FIELD');
  });

  it("rejects a runtime throw with INTERNAL_ERROR and the script's message, keeping the old state", async () => {
    const h = harness();
    h.states.set('sess-1', { count: 7 });
    const error = await rejection(
      h.handle(
        'async function handle(m, ctx) { ctx.state.count = 0; throw new TypeError("no such department"); }',
      ),
    );
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toBe('Script error: no such department');
    expect(error.details).toMatchObject({ scriptErrorName: 'TypeError' });
    expect(h.states.get('sess-1')).toEqual({ count: 7 });
  });

  it('throws a refused send inside the script, where it can be caught', async () => {
    const h = harness(async (request) => {
      throw new AuthorizationError(`No edge from ${request.from} to ${request.receiver}`);
    });
    const uncaught = await rejection(
      h.handle('async function handle(m, ctx) { await ctx.send("x", "COMMAND", {}); }'),
    );
    expect(uncaught.code).toBe('FORBIDDEN');
    expect(uncaught.message).toMatch(/No edge from sess-1 to x/);
    const caught = await h.handle(`
      async function handle(m, ctx) {
        try { await ctx.send("x", "COMMAND", {}); } catch (e) { return { code: e.code, message: e.message }; }
      }`);
    expect(caught).toEqual({ code: 'FORBIDDEN', message: 'No edge from sess-1 to x' });
    const badType = await rejection(
      h.handle('async function handle(m, ctx) { await ctx.reply("SHOUT", {}); }'),
    );
    expect(badType.code).toBe('INVALID_MESSAGE');
  });

  it('cancels a hung script by signal and leaves the state untouched', async () => {
    const h = harness();
    const controller = new AbortController();
    const pending = h.handle('async function handle(m, ctx) { ctx.state.x = 1; for (;;) {} }', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(error)).toBe(true);
    expect(h.states.has('sess-1')).toBe(false);
    expect(await h.handle('function handle() { return "alive"; }')).toBe('alive');
  });

  it('fails a script past config.timeoutMs with TASK_TIMEOUT', async () => {
    const h = harness();
    const error = await rejection(
      h.handle('function handle() { for (;;) {} }', { config: { timeoutMs: 200 } }),
    );
    expect(error.code).toBe('TASK_TIMEOUT');
  });

  it('does not run a crashed script again once it has sent something', async () => {
    const h = harness();
    const retriesBefore = pool.stats().retries;
    const error = await rejection(
      h.handle(
        'async function handle(m, ctx) { await ctx.reply("PROGRESS_REPORT", 1); process.exit(3); }',
      ),
    );
    expect(error.code).toBe('WORKER_HEALTH_FAILED');
    expect(h.replies).toHaveLength(1);
    expect(pool.stats().retries).toBe(retriesBefore);
  });
});
