import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import { DELEGATE_TOOL_NAME, planDelegations } from '../../src-main/engine/runners/claude';
import {
  script,
  startAnthropicLoopback,
  type AnthropicLoopback,
} from '../helpers/anthropic-loopback';

let server: AnthropicLoopback;
let config: Record<string, unknown>;

beforeAll(async () => {
  server = await startAnthropicLoopback();
  config = { model: 'claude-director', apiKey: 'test-key', baseURL: server.url, maxRetries: 0 };
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  expect(server.pending()).toBe(0);
  server.requests.length = 0;
});

describe('claude director: planDelegations', () => {
  it('sends the input with a delegate tool listing the departments and returns the calls', async () => {
    server.enqueue(
      script.toolUse(
        [
          {
            name: 'delegate',
            input: { department: 'lint', instruction: 'Lint src/ and report errors' },
          },
          {
            name: 'delegate',
            input: { department: 'docs', instruction: 'Check the README examples' },
          },
          {
            name: 'delegate',
            input: { department: 'marketing', instruction: 'Write a press release' },
          },
        ],
        { text: ['I will split ', 'the review.'], jsonChunks: 4 },
      ),
    );
    const streamed: string[] = [];
    const plan = await planDelegations({
      config: { ...config, system: 'Prefer small instructions.' },
      input: { prompt: 'Review pull request #42' },
      departments: ['lint', { name: 'test', description: 'runs the unit tests' }, 'docs'],
      env: {},
      onText: (delta) => streamed.push(delta),
    });

    expect(plan.calls).toEqual([
      { id: 'toolu_loop_1', department: 'lint', instruction: 'Lint src/ and report errors' },
      { id: 'toolu_loop_2', department: 'docs', instruction: 'Check the README examples' },
    ]);
    expect(plan.rejected).toEqual([
      {
        id: 'toolu_loop_3',
        name: 'delegate',
        input: { department: 'marketing', instruction: 'Write a press release' },
        reason: 'unknown department "marketing"',
      },
    ]);
    expect(plan.text).toBe('I will split the review.');
    expect(streamed.join('')).toBe(plan.text);
    expect(plan.stopReason).toBe('tool_use');

    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(body.messages).toEqual([{ role: 'user', content: 'Review pull request #42' }]);
    expect(body.system).toContain('Prefer small instructions.');
    const tools = body.tools as Array<{
      name: string;
      description: string;
      input_schema: { properties: { department: { enum: string[] } }; required: string[] };
    }>;
    expect(tools).toHaveLength(1);
    expect(tools[0]!.name).toBe(DELEGATE_TOOL_NAME);
    expect(tools[0]!.input_schema.properties.department.enum).toEqual(['lint', 'test', 'docs']);
    expect(tools[0]!.input_schema.required).toEqual(['department', 'instruction']);
    expect(tools[0]!.description).toContain('test: runs the unit tests');
  });

  it('refuses an empty department list', async () => {
    const error = await planDelegations({ config, input: 'x', departments: [], env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OrchestrationError);
    expect((error as OrchestrationError).code).toBe('INVALID_INPUT');
  });
});

describe('anthropic loopback wire format', () => {
  it('answers non-streaming requests with a Message JSON the SDK parses', async () => {
    server.enqueue(
      script.toolUse([{ name: 'delegate', input: { department: 'lint', instruction: 'go' } }], {
        text: ['Sure.'],
      }),
    );
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const message = await client.messages.create({
      model: 'claude-x',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('claude-x');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'text', text: 'Sure.', citations: null },
      {
        type: 'tool_use',
        id: 'toolu_loop_1',
        name: 'delegate',
        input: { department: 'lint', instruction: 'go' },
      },
    ]);
  });

  it('streams the event sequence the SDK’s MessageStream accumulates', async () => {
    server.enqueue(
      script.toolUse([{ name: 'delegate', input: { department: 'docs', instruction: 'write' } }], {
        text: ['a', 'b'],
      }),
    );
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'claude-x',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(final.content).toMatchObject([
      { type: 'text', text: 'ab' },
      { type: 'tool_use', name: 'delegate', input: { department: 'docs', instruction: 'write' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
  });
});
