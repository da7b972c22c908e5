import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicLoopback } from '../helpers/anthropic-loopback';
import { script } from '../helpers/anthropic-loopback';
import { waitFor, type TempEngine } from '../helpers/temp-engine';
import {
  closeTestbed,
  department,
  git,
  makeRepo,
  marker,
  openTestbed,
  workflow,
  writeFile,
} from './harness';

const requestsOf = (lb: AnthropicLoopback, name: string) =>
  lb.requests.filter((r) => JSON.stringify(r.body).includes(marker(name)));

describe('claude-code resume by the stored agent session id', () => {
  let t: TempEngine;
  let lb: AnthropicLoopback;
  beforeEach(async () => ({ t, lb } = await openTestbed()));
  afterEach(() => closeTestbed(t, lb));

  async function interruptedRun(repo: string) {
    // The first engine: the agent writes a.txt, then the model never answers again.
    lb.enqueueFor(marker('alpha'), writeFile('a.txt', 'a\n'), script.hang());
    const wf = await t.engine.workflows.create(
      workflow([department('alpha', { baseURL: lb.url })], { repository: repo }),
    );
    const run = await t.engine.runs.start(wf.id, 'Write a.txt, then b.txt');
    await waitFor(() => requestsOf(lb, 'alpha').length === 2, 'the second model request', 30_000);
    const sid = run.sessions.alpha!;
    const stored = (await t.engine.sessions.get(sid))!.state as {
      claudeCode: { agentSessionId: string };
    };
    await t.engine.close(); // the engine stops mid-run
    return { run, sid, agentSessionId: stored.claudeCode.agentSessionId };
  }

  it('after the engine stopped mid-run, runs.resume carries the conversation on', async () => {
    const repo = makeRepo();
    const { run, sid, agentSessionId } = await interruptedRun(repo);
    expect(agentSessionId).toMatch(/^[0-9a-f-]{36}$/);

    lb.enqueueFor(marker('alpha'), writeFile('b.txt', 'b\n'), script.text(['Both written']));
    const engine = await t.reopen();
    expect((await engine.runs.get(run.id))!.status).toBe('interrupted');
    await engine.runs.resume(run.id);
    const done = await engine.runs.wait(run.id, 60_000);
    expect(done.error ?? '').toBe('');
    expect(done.status).toBe('completed');

    // The resumed conversation: the first request after the restart carries the earlier turns.
    const resumed = requestsOf(lb, 'alpha')[2]!.body as { messages: unknown[] };
    const text = JSON.stringify(resumed.messages);
    expect(text).toContain('a.txt'); // the earlier Write call and its result
    expect(text.match(/Write a\.txt, then b\.txt/g)!.length).toBeGreaterThanOrEqual(1);
    expect(resumed.messages.length).toBeGreaterThan(2);
    const state = (await engine.sessions.get(sid))!.state as {
      claudeCode: { agentSessionId: string };
    };
    expect(state.claudeCode.agentSessionId).toBe(agentSessionId);
    const branch = engine.workspaces.get(run.id, sid)!.branch!;
    expect(git(repo, 'show', `${branch}:a.txt`)).toBe('a');
    expect(git(repo, 'show', `${branch}:b.txt`)).toBe('b');
  }, 120_000);

  it('when the transcript is gone it starts fresh and says so', async () => {
    const repo = makeRepo();
    const { run } = await interruptedRun(repo);
    rmSync(join(t.dir, 'claude-code', 'home', '.claude', 'projects'), {
      recursive: true,
      force: true,
    });

    lb.enqueueFor(marker('alpha'), script.text(['Fresh start']));
    const engine = await t.reopen();
    await engine.runs.resume(run.id);
    const done = await engine.runs.wait(run.id, 60_000);
    expect(done.error ?? '').toBe('');
    expect(done.status).toBe('completed');
    const fresh = requestsOf(lb, 'alpha')[2]!.body as { messages: unknown[] };
    // One user message, no earlier tool call: a new conversation.
    expect(fresh.messages).toHaveLength(1);
    expect(JSON.stringify(fresh.messages)).not.toContain('tool_result');
    const reports = (await engine.bus.list({ type: 'PROGRESS_REPORT' })).map((m) => m.content);
    expect(reports).toContainEqual(
      expect.objectContaining({
        resumed: false,
        text: expect.stringMatching(/no transcript left; starting a fresh conversation/),
      }),
    );
  }, 120_000);
});
