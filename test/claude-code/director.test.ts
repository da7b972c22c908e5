import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicLoopback } from '../helpers/anthropic-loopback';
import { script } from '../helpers/anthropic-loopback';
import { type TempEngine } from '../helpers/temp-engine';
import {
  closeTestbed,
  department,
  git,
  makeRepo,
  marker,
  openTestbed,
  toolId,
  workflow,
  writeFile,
} from './harness';

const tool = (name: string) => `mcp__orchestration__${name}`;

describe('Claude Code director with in-process bus tools', () => {
  let t: TempEngine;
  let lb: AnthropicLoopback;
  beforeEach(async () => ({ t, lb } = await openTestbed()));
  afterEach(() => closeTestbed(t, lb));

  it('commands two departments, waits for both, merges both; an off-edge target is refused', async () => {
    const repo = makeRepo();
    const D = marker('director');
    lb.enqueueFor(
      D,
      script.toolUse([
        {
          id: toolId(),
          name: tool('send_command'),
          input: { department: 'alpha', content: 'Write a.txt' },
        },
        {
          id: toolId(),
          name: tool('send_command'),
          input: { department: 'beta', content: 'Write b.txt' },
        },
      ]),
      script.toolUse([
        {
          id: toolId(),
          name: tool('wait_for_report'),
          input: { department: 'all', timeoutMs: 60_000 },
        },
      ]),
      script.toolUse([
        { id: toolId(), name: tool('request_merge'), input: { department: 'alpha' } },
      ]),
      script.toolUse([
        { id: toolId(), name: tool('request_merge'), input: { department: 'beta' } },
      ]),
      script.toolUse([
        { id: toolId(), name: tool('send_command'), input: { department: 'gamma', content: 'x' } },
      ]),
      script.text(['Both departments merged.']),
    );
    lb.enqueueFor(marker('alpha'), writeFile('a.txt', 'a\n'), script.text(['alpha wrote a.txt']));
    lb.enqueueFor(marker('beta'), writeFile('b.txt', 'b\n'), script.text(['beta wrote b.txt']));
    // gamma exists in the workflow but has no edge from the director.
    const gamma = department('gamma', { baseURL: lb.url }, 900);
    const wf = await t.engine.workflows.create(
      workflow(
        [department('alpha', { baseURL: lb.url }), department('beta', { baseURL: lb.url }, 600)],
        {
          repository: repo,
          director: {
            kind: 'claude-code',
            model: 'claude-sonnet-4-5',
            baseURL: lb.url,
            appendSystemPrompt: D,
          },
          extra: [gamma],
        },
      ),
    );
    const run = await t.engine.runs.start(wf.id, 'Build a and b');
    const done = await t.engine.runs.wait(run.id, 90_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    const result = done.result as {
      summary: string;
      cost: { directorUsd: number; departmentsUsd: Record<string, number>; totalUsd: number };
      reports: Array<{ department: string; status: string }>;
    };
    expect(result.summary).toBe('Both departments merged.');
    expect(result.reports.map((r) => `${r.department}:${r.status}`).sort()).toEqual([
      'alpha:completed',
      'beta:completed',
    ]);
    // Cost rolls up: each department's, and the total includes the director's.
    expect(Object.keys(result.cost.departmentsUsd).sort()).toEqual(['alpha', 'beta']);
    expect(result.cost.totalUsd).toBeCloseTo(
      result.cost.directorUsd +
        result.cost.departmentsUsd.alpha! +
        result.cost.departmentsUsd.beta!,
      10,
    );
    expect(git(repo, 'show', 'main:a.txt')).toBe('a');
    expect(git(repo, 'show', 'main:b.txt')).toBe('b');

    // The director's tools were offered, and the off-edge call came back as a tool error.
    const directorRequests = lb.requests.filter((r) => JSON.stringify(r.body).includes(D));
    // Claude Code offers MCP tools by name (their schemas are fetched on demand).
    const offered = JSON.stringify(directorRequests[0]!.body);
    for (const name of ['send_command', 'wait_for_report', 'request_merge', 'ask_person']) {
      expect(offered).toContain(tool(name));
    }
    const results = directorRequests
      .flatMap((r) => (r.body as { messages: Array<{ content: unknown }> }).messages)
      .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .filter((b: { type?: string }) => b.type === 'tool_result') as Array<{
      is_error?: boolean;
      content: unknown;
    }>;
    const refusal = results.find((b) => JSON.stringify(b.content).includes('gamma'));
    expect(refusal?.is_error).toBe(true);
    expect(JSON.stringify(refusal?.content)).toContain(
      'not a department this director is connected to',
    );
    // gamma never got work.
    expect(await t.engine.bus.list({ receiver: done.sessions.gamma! })).toEqual([]);
  }, 120_000);
});
