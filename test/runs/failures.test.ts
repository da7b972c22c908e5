import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkflowSession } from '../../src-shared/workflow';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { returns, runToEnd, scriptDept, star } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** Whether a process still runs (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('a worker killed mid-task', () => {
  it('is replaced and the task retried: the run completes', async () => {
    t = await tempEngine();
    const marker = join(t.dir, 'crashed-once');
    const crashOnce = `async function handle(message, ctx) {
      const fs = await import('node:fs');
      if (!fs.existsSync(message.content.marker)) {
        fs.writeFileSync(message.content.marker, 'x');
        process.exit(1); // ends this worker thread mid-task
      }
      return 'survived';
    }`;
    const run = await runToEnd(
      t.engine,
      star('crash-once', [scriptDept('flaky', crashOnce), scriptDept('steady', returns('ok'))]),
      { marker },
    );
    expect(run.error).toBeNull();
    expect(run.result).toEqual({ flaky: 'survived', steady: 'ok' });
    const stats = t.engine.pool.stats();
    expect(stats.crashes).toBe(1);
    expect(stats.retries).toBe(1);
  });

  it('that crashes every time fails the run clearly, naming the department', async () => {
    t = await tempEngine();
    const run = await runToEnd(
      t.engine,
      star('crash-always', [
        scriptDept('doomed', `async function handle() { process.exit(3); }`),
        scriptDept('steady', returns('ok')),
      ]),
      null,
    );
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Department "doomed" failed/);
    const stats = t.engine.pool.stats();
    expect(stats.crashes).toBeGreaterThan(1);
    expect(stats.workers.total).toBeGreaterThanOrEqual(1); // replaced, the pool still serves
    expect(await t.engine.pool.run('echo', 7)).toBe(7);
  });
});

describe('cancel', () => {
  it('kills a shell that ignores SIGTERM, ends pool tasks and manual waits: nothing keeps running', async () => {
    t = await tempEngine();
    const { engine } = t;
    const stubborn: WorkflowSession = {
      id: 'stubborn',
      type: 'department',
      name: 'stubborn',
      workspace: t.dir,
      runner: {
        kind: 'shell',
        shell: true,
        command: `trap '' TERM; echo $$; sleep 60 & echo $!; wait`,
      },
      position: { x: 0, y: 0 },
    };
    const human: WorkflowSession = {
      ...stubborn,
      id: 'human',
      name: 'human',
      runner: { kind: 'manual' },
    };
    const spinner = scriptDept('spinner', `async function handle() { for (;;) {} }`);
    const workflow = await engine.workflows.create(star('cancel', [stubborn, human, spinner]));
    const run = await engine.runs.start(workflow.id, null);

    const stubbornId = run.sessions['stubborn']!;
    let pids: number[] = [];
    await waitFor(async () => {
      const lines = await engine.bus.list({ sender: stubbornId, type: 'PROGRESS_REPORT' });
      pids = lines.map((m) => Number((m.content as { line: string }).line));
      return pids.length === 2;
    }, 'the shell to report its pids');
    await waitFor(() => engine.pool.stats().active === 1, 'the spinning script to be on a worker');
    expect(pids.every(alive)).toBe(true);
    // A busy session's signs of life are recorded as heartbeats (about once a second).
    await waitFor(
      async () => (await engine.sessions.require(stubbornId)).lastHeartbeatAt !== null,
      'a heartbeat from the shell session',
    );

    const cancelled = await engine.runs.cancel(run.id, 'stop everything');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toBe('stop everything');
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(engine.pool.stats().active).toBe(0);
    expect(engine.runs.waiting(run.id)).toEqual([]);
    for (const id of Object.values(run.sessions)) {
      expect((await engine.sessions.require(id)).status).toBe('terminated');
    }
    expect((await engine.runs.wait(run.id, 1_000)).status).toBe('cancelled');
  });
});
