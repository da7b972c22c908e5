import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicLoopback, ScriptedResponse } from '../helpers/anthropic-loopback';
import { script } from '../helpers/anthropic-loopback';
import { waitFor, type TempEngine } from '../helpers/temp-engine';
import {
  alive,
  claudePids,
  closeTestbed,
  department,
  makeRepo,
  marker,
  openTestbed,
  toolId,
  workflow,
  writeFile,
} from './harness';

/** Pids whose command line contains `text`. */
function pidsOf(text: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(text) && !l.includes('ps -eo'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('claude-code cancel and limits', () => {
  let t: TempEngine;
  let lb: AnthropicLoopback;
  beforeEach(async () => ({ t, lb } = await openTestbed()));
  afterEach(() => closeTestbed(t, lb));

  it('cancel ends the agent and the commands it started: no orphan processes', async () => {
    // A long-running command the agent starts (Claude Code refuses a bare `sleep`).
    const sleeper = `cc-orphan-check-${Math.random().toString(36).slice(2)}`;
    const command = `node -e "setTimeout(() => {}, 600000)" ${sleeper}`;
    lb.enqueueFor(
      marker('alpha'),
      script.toolUse([{ id: toolId(), name: 'Bash', input: { command, description: 'wait' } }]),
      script.hang(),
    );
    const wf = await t.engine.workflows.create(
      workflow([department('alpha', { baseURL: lb.url, allowedTools: ['Bash'] })], {
        repository: makeRepo(),
      }),
    );
    const run = await t.engine.runs.start(wf.id, 'Wait a while');
    await waitFor(() => pidsOf(sleeper).length > 0, 'the Bash command to start', 30_000);
    const agents = claudePids();
    const sleepers = pidsOf(sleeper);
    expect(agents.length).toBeGreaterThan(0);

    const cancelled = await t.engine.runs.cancel(run.id);
    expect(cancelled.status).toBe('cancelled');
    await waitFor(
      () => [...agents, ...sleepers].every((pid) => !alive(pid)),
      'the agent and its command to end',
      10_000,
    );
    expect([...agents, ...sleepers].filter(alive)).toEqual([]);
  }, 90_000);

  it('maxTurns stops the task with an error naming the limit', async () => {
    lb.enqueueFor(
      marker('alpha'),
      writeFile('a.txt', 'a\n'),
      writeFile('b.txt', 'b\n'),
      script.text(['done']),
    );
    const wf = await t.engine.workflows.create(
      workflow([department('alpha', { baseURL: lb.url, maxTurns: 1 })], { repository: makeRepo() }),
    );
    const run = await t.engine.runs.start(wf.id, 'Write two files');
    const done = await t.engine.runs.wait(run.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/maxTurns limit \(1 turns\)/);
  }, 90_000);

  it('maxBudgetUsd stops the task with an error naming the limit', async () => {
    const expensive: ScriptedResponse = {
      kind: 'dynamic',
      make: (body, raw) => {
        const made = (
          writeFile('a.txt', 'a\n') as Extract<ScriptedResponse, { kind: 'dynamic' }>
        ).make(body, raw);
        return {
          ...made,
          usage: { input_tokens: 2_000_000, output_tokens: 10 },
        } as ScriptedResponse;
      },
    };
    lb.enqueueFor(marker('alpha'), expensive, script.text(['more']), script.text(['done']));
    const wf = await t.engine.workflows.create(
      workflow([department('alpha', { baseURL: lb.url, maxBudgetUsd: 0.01 })], {
        repository: makeRepo(),
      }),
    );
    const run = await t.engine.runs.start(wf.id, 'Spend');
    const done = await t.engine.runs.wait(run.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/maxBudgetUsd limit \(\$0\.01; spent \$\d/);
  }, 90_000);
});
