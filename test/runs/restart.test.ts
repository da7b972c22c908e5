import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { returns, scriptDept, star } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('runs across restarts', () => {
  it('a run whose process was killed is marked interrupted at the next start', async () => {
    t = await tempEngine();
    await t.engine.close(); // the child process owns the database meanwhile
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/hold-run.ts'), t.databasePath],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('\n'), 'the child to start its run', 20_000);
    const { runId } = JSON.parse(out) as { runId: string };
    child.kill('SIGKILL');
    await once(child, 'exit');

    const engine = await t.reopen();
    expect(engine.recovery.interruptedRuns).toBe(1);
    const run = await engine.runs.require(runId);
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/^Interrupted: the engine executing this run stopped/);
    expect(run.endedAt).toBeNull();
    // Sessions are kept (idle) for runs.resume, in a state the state machine allows.
    for (const id of Object.values(run.sessions)) {
      expect((await engine.sessions.require(id)).status).toBe('idle');
    }
    // History is kept, and the same workflow runs again.
    const again = await engine.runs.start(run.workflowId, 'again');
    expect(again.status).toBe('running');
    await engine.runs.cancel(again.id);
    expect((await engine.runs.list({ workflowId: run.workflowId })).map((r) => r.id)).toEqual([
      again.id,
      run.id,
    ]);
  });

  it('closing the engine ends its runs as interrupted and leaves other runs alone', async () => {
    t = await tempEngine();
    const workflow = await t.engine.workflows.create(
      star('slow', [
        scriptDept('sleepy', `async function handle() { await new Promise(() => {}); }`),
      ]),
    );
    const done = await t.engine.runs.wait(
      (
        await t.engine.runs.start(
          (await t.engine.workflows.create(star('quick', [scriptDept('q', returns(1))]))).id,
        )
      ).id,
    );
    expect(done.status).toBe('completed');
    const run = await t.engine.runs.start(workflow.id, null);
    await t.engine.close();
    const engine = await t.reopen();
    expect(engine.recovery.interruptedRuns).toBe(0);
    const after = await engine.runs.require(run.id);
    expect(after.status).toBe('interrupted');
    expect(after.error).toMatch(/engine closed/);
    expect((await engine.runs.require(done.id)).status).toBe('completed');
  });
});
