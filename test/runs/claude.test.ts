import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowSession } from '../../src-shared/workflow';
import {
  script,
  startAnthropicLoopback,
  type AnthropicLoopback,
} from '../helpers/anthropic-loopback';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { director, returns, runToEnd, scriptDept, star } from './helpers';

let server: AnthropicLoopback;
let t: TempEngine | undefined;
beforeAll(async () => {
  server = await startAnthropicLoopback();
  process.env.ANTHROPIC_API_KEY = 'test-key'; // this test file runs in its own process
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
  expect(server.pending()).toBe(0);
  server.requests.length = 0;
});

const claudeDirector = () =>
  director({ kind: 'claude', model: 'claude-director', baseURL: server.url });
const writer = (): WorkflowSession => ({
  id: 'writer',
  type: 'department',
  name: 'writer',
  runner: { kind: 'claude', model: 'claude-writer', baseURL: server.url },
  position: { x: 0, y: 0 },
});

describe('claude director strategy', () => {
  it('lets the model choose departments with delegate calls, then collects their results', async () => {
    t = await tempEngine();
    server.enqueue(
      script.rateLimited({ retryAfterMs: 10 }),
      script.toolUse(
        [
          { name: 'delegate', input: { department: 'lint', instruction: 'Lint the diff' } },
          { name: 'delegate', input: { department: 'writer', instruction: 'Write release notes' } },
          { name: 'delegate', input: { department: 'marketing', instruction: 'Hype it' } },
        ],
        { text: ['Splitting the work.'] },
      ),
      script.text(['Notes: ', 'fixed ', 'bugs.']),
    );
    const run = await runToEnd(
      t.engine,
      star(
        'claude-led',
        [
          scriptDept(
            'lint',
            `async function handle(m) { return { linted: m.content.instruction }; }`,
          ),
          writer(),
          scriptDept('docs', returns('never asked')),
        ],
        claudeDirector(),
      ),
      { prompt: 'Prepare release 2.0' },
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    const result = run.result as Record<string, Record<string, unknown>>;
    expect(Object.keys(result).sort()).toEqual(['lint', 'writer']); // docs was not chosen
    expect(result.lint).toEqual({ linted: 'Lint the diff' });
    expect(result.writer).toMatchObject({ text: 'Notes: fixed bugs.', model: 'claude-writer' });

    const [limited, plan, write] = server.requests;
    expect(limited!.body?.model).toBe('claude-director'); // the 429, retried
    expect(plan!.body?.model).toBe('claude-director');
    const tools = plan!.body?.tools as Array<{
      input_schema: { properties: { department: { enum: string[] } } };
    }>;
    expect(tools[0]!.input_schema.properties.department.enum).toEqual(['lint', 'writer', 'docs']);
    expect(write!.body?.messages).toEqual([{ role: 'user', content: 'Write release notes' }]);
    // the writer's text deltas went to the director as PROGRESS_REPORTs
    const progress = await t.engine.bus.list({
      sender: run.sessions['writer']!,
      type: 'PROGRESS_REPORT',
    });
    expect(progress.length).toBeGreaterThan(0);
  });

  it('a claude department whose stream is cut fails the run, naming it', async () => {
    t = await tempEngine();
    server.enqueue(
      script.toolUse([{ name: 'delegate', input: { department: 'writer', instruction: 'go' } }]),
      {
        kind: 'cut',
        blocks: [{ type: 'text', chunks: ['half', ' an', ' answer'] }],
        afterDeltas: 1,
      },
    );
    const run = await runToEnd(t.engine, star('cut', [writer()], claudeDirector()), 'go');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Department "writer" failed: .*interrupted/);
  });

  it('cancel aborts a Claude request in flight', async () => {
    t = await tempEngine();
    server.enqueue({ kind: 'hang' });
    const workflow = await t.engine.workflows.create(star('hang', [writer()], claudeDirector()));
    const run = await t.engine.runs.start(workflow.id, 'think hard');
    await waitFor(() => server.requests.length === 1, 'the director request');
    const cancelled = await t.engine.runs.cancel(run.id);
    expect(cancelled.status).toBe('cancelled');
    await server.requests[0]!.closed; // the HTTP exchange was ended by the client
  });
});
