import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import type { MessageType } from '../../src-shared/domain';
import type {
  RunnerContext,
  RunnerLogLevel,
  RunnerMessage,
} from '../../src-main/engine/runners/types';
import { createClaudeRunner, type ClaudeRunnerResult } from '../../src-main/engine/runners/claude';
import {
  script,
  startAnthropicLoopback,
  type AnthropicLoopback,
} from '../helpers/anthropic-loopback';

const API_KEY = 'sk-ant-test-key-do-not-log';

interface Recorded {
  ctx: RunnerContext;
  controller: AbortController;
  reports: string[];
  replies: Array<{ type: MessageType; content: unknown }>;
  logs: Array<{ level: RunnerLogLevel; text: string }>;
}

function makeCtx(config: Record<string, unknown>, onReply?: (text: string) => void): Recorded {
  const controller = new AbortController();
  const replies: Recorded['replies'] = [];
  const reports: string[] = [];
  const logs: Recorded['logs'] = [];
  const ctx: RunnerContext = {
    session: { id: 'sess-claude', name: 'writer', workspace: null },
    config,
    signal: controller.signal,
    reply: async (type, content) => {
      replies.push({ type, content });
      const text = (content as { text: string }).text;
      reports.push(text);
      onReply?.(text);
    },
    log: (level, text) => logs.push({ level, text }),
  };
  return { ctx, controller, reports, replies, logs };
}

function message(content: unknown): RunnerMessage {
  return {
    id: 'msg-1',
    type: 'DIRECTION',
    sender: 'director',
    receiver: 'sess-claude',
    content,
    metadata: {},
  };
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

let server: AnthropicLoopback;
let config: Record<string, unknown>;
const runner = createClaudeRunner({ env: {} }); // nothing from the real environment

beforeAll(async () => {
  server = await startAnthropicLoopback();
  config = { model: 'claude-test', apiKey: API_KEY, baseURL: server.url, maxTokens: 256 };
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  expect(server.pending()).toBe(0); // every scripted response was used
  server.requests.length = 0;
});

describe('claude runner against the loopback Messages API', () => {
  it('streams text deltas as PROGRESS_REPORTs in order and resolves with their concatenation', async () => {
    let firstReport!: () => void;
    const sawFirstReport = new Promise<void>((resolve) => (firstReport = resolve));
    // The server holds the rest of the stream until the runner has reported the first deltas,
    // which proves the reports are sent while the answer is still streaming.
    server.enqueue(
      script.text(['Hel', 'lo, ', 'wor', 'ld!'], {
        hold: { afterDeltas: 2, until: sawFirstReport },
        usage: { input_tokens: 21, output_tokens: 7 },
      }),
    );
    const { ctx, reports, replies, logs } = makeCtx({ ...config, system: 'Be brief.' }, () =>
      firstReport(),
    );
    const result = await runner.handle(message('Say hello'), ctx);

    expect(replies.every((r) => r.type === 'PROGRESS_REPORT')).toBe(true);
    expect(reports.join('')).toBe('Hello, world!');
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(result.content).toEqual({
      text: 'Hello, world!',
      model: 'claude-test',
      stopReason: 'end_turn',
      usage: {
        inputTokens: 21,
        outputTokens: 7,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
      },
    } satisfies ClaudeRunnerResult);

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.path).toBe('/v1/messages');
    expect(request.credential).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toBeTruthy();
    expect(request.body).toMatchObject({
      model: 'claude-test',
      max_tokens: 256,
      stream: true,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(JSON.stringify(logs)).not.toContain(API_KEY);
  });

  it('uses an object content’s prompt field, or the whole object as JSON', async () => {
    server.enqueue(script.text(['a']), script.text(['b']));
    await runner.handle(message({ prompt: 'Review the diff', files: 3 }), makeCtx(config).ctx);
    await runner.handle(message({ files: ['x.ts'] }), makeCtx(config).ctx);
    const prompts = server.requests.map(
      (r) => (r.body?.messages as Array<{ content: string }>)[0]?.content,
    );
    expect(prompts[0]).toBe('Review the diff');
    expect(JSON.parse(prompts[1]!)).toEqual({ files: ['x.ts'] });
  });

  it('retries a 429 and succeeds, without duplicating progress', async () => {
    server.enqueue(script.rateLimited({ retryAfterMs: 20 }), script.text(['ok ', 'then']));
    const { ctx, reports } = makeCtx(config);
    const result = await runner.handle(message('hi'), ctx);
    expect((result.content as ClaudeRunnerResult).text).toBe('ok then');
    expect(reports.join('')).toBe('ok then');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['x-stainless-retry-count']).toBe('1');
  });

  it('honours a retry-after header given in seconds', async () => {
    server.enqueue(script.rateLimited({ retryAfterSeconds: 1 }), script.text(['done']));
    await runner.handle(message('hi'), makeCtx(config).ctx);
    expect(server.requests).toHaveLength(2);
    const waited = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(900); // waited as told, not the 0.5 s default backoff
  });

  it('retries a 529 overloaded_error and succeeds', async () => {
    server.enqueue(script.overloaded(), script.text(['back']));
    const { ctx, reports } = makeCtx(config);
    const result = await runner.handle(message('hi'), ctx);
    expect((result.content as ClaudeRunnerResult).text).toBe('back');
    expect(reports).toEqual(['back']);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries with RATE_LIMITED or SERVICE_UNAVAILABLE', async () => {
    server.enqueue(
      script.rateLimited({ retryAfterMs: 5 }),
      script.rateLimited({ retryAfterMs: 5 }),
    );
    const limited = await rejection(
      runner.handle(message('hi'), makeCtx({ ...config, maxRetries: 1 }).ctx),
    );
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.details).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect(server.requests).toHaveLength(2);

    server.enqueue(script.overloaded({ retryAfterMs: 5 }));
    const overloaded = await rejection(
      runner.handle(message('hi'), makeCtx({ ...config, maxRetries: 0 }).ctx),
    );
    expect(overloaded.code).toBe('SERVICE_UNAVAILABLE');
    expect(overloaded.message).toContain('overloaded');
    expect(server.requests).toHaveLength(3);
  });

  it('rejects a stream cut mid-way with a clear SERVICE_UNAVAILABLE and does not retry it', async () => {
    server.enqueue(script.cut(['one ', 'two ', 'three'], 2));
    const { ctx, reports } = makeCtx(config);
    const error = await rejection(runner.handle(message('count'), ctx));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toMatch(/stream was interrupted after 8 characters of text/);
    expect(error.details).toMatchObject({ receivedChars: 8, interrupted: true });
    expect(reports.join('')).toBe('one two '); // what did arrive was still reported
    expect(server.requests).toHaveLength(1);
  });

  it('rejects an error event in the middle of the stream as an interruption', async () => {
    server.enqueue(script.streamError(['partial ', 'answer'], 1, 'overloaded_error'));
    const { ctx, reports } = makeCtx(config);
    const error = await rejection(runner.handle(message('hi'), ctx));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toContain('interrupted after 8 characters');
    expect(error.message).toContain('overloaded_error');
    expect(reports).toEqual(['partial ']);
  });

  it('refuses without an API key with AUTH_REQUIRED saying how to set it', async () => {
    const { apiKey: _omit, ...noKey } = config;
    const error = await rejection(runner.handle(message('hi'), makeCtx(noKey).ctx));
    expect(error.code).toBe('AUTH_REQUIRED');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(server.requests).toHaveLength(0);
  });

  it('reads the API key and base URL from the environment', async () => {
    const envRunner = createClaudeRunner({
      env: { ANTHROPIC_API_KEY: 'env-key', ANTHROPIC_BASE_URL: server.url },
    });
    server.enqueue(script.text(['from env']));
    const result = await envRunner.handle(message('hi'), makeCtx({ model: 'claude-test' }).ctx);
    expect((result.content as ClaudeRunnerResult).text).toBe('from env');
    expect(server.requests[0]!.credential).toBe('env-key');
  });

  it('maps a rejected key (401) to INVALID_TOKEN without the key in the error', async () => {
    server.enqueue(script.error(401, 'authentication_error', 'invalid x-api-key'));
    const error = await rejection(runner.handle(message('hi'), makeCtx(config).ctx));
    expect(error.code).toBe('INVALID_TOKEN');
    expect(JSON.stringify(error.toJSON())).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(1); // 401 is not retried
  });

  it('aborts mid-stream promptly and drops the connection', async () => {
    server.enqueue(
      script.text(['first', 'never'], { hold: { afterDeltas: 1, until: new Promise(() => {}) } }),
    );
    const recorded = makeCtx(config, () => recorded.controller.abort());
    const error = await rejection(runner.handle(message('hi'), recorded.ctx));
    expect(error.details).toMatchObject({ cancelled: true });
    expect(recorded.reports).toEqual(['first']);
    await server.requests[0]!.closed; // the server saw the client go away
  });

  it('aborts a request that is still waiting for the response', async () => {
    server.enqueue(script.hang());
    const recorded = makeCtx(config);
    const pending = runner.handle(message('hi'), recorded.ctx);
    await waitFor(() => server.requests.length === 1);
    recorded.controller.abort(new OrchestrationError('TASK_TIMEOUT', 'session timed out'));
    const error = await rejection(pending);
    expect(error.code).toBe('TASK_TIMEOUT'); // the abort reason is passed through
    await server.requests[0]!.closed;
  });

  it('refuses an invalid config and an empty prompt with INVALID_INPUT', async () => {
    const noModel = await rejection(runner.handle(message('hi'), makeCtx({ apiKey: API_KEY }).ctx));
    expect(noModel.code).toBe('INVALID_INPUT');
    expect(noModel.message).toContain('model');
    const empty = await rejection(runner.handle(message('  '), makeCtx(config).ctx));
    expect(empty.code).toBe('INVALID_INPUT');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
