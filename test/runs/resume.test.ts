import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src-main/engine';
import { codeOf } from '../rpc/contract-suite';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { gatedWorkflow } from './resume-helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  if (t) writeFileSync(join(t.dir, 'gate'), ''); // lets shells of a killed child end
  await t?.cleanup();
  t = undefined;
});

/** How many times a session answered (COMPLETION_NOTIFICATION), in any state. */
async function answers(engine: Engine, sessionId: string): Promise<number> {
  return (await engine.bus.list({ sender: sessionId, type: 'COMPLETION_NOTIFICATION' })).length;
}

describe('runs.resume', () => {
  it('a run killed mid-way is interrupted at the next start; resume completes it with every result', async () => {
    t = await tempEngine();
    await t.engine.close(); // the child process owns the database meanwhile
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures/resume-run.ts'),
        t.databasePath,
        t.dir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('\n'), 'the child to start its run', 30_000);
    const { runId } = JSON.parse(out) as { runId: string };
    child.kill('SIGKILL');
    await once(child, 'exit');

    const engine = await t.reopen();
    expect(engine.recovery.interruptedRuns).toBe(1);
    const run = await engine.runs.require(runId);
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/Resume it/);
    expect(run.endedAt).toBeNull();
    for (const id of Object.values(run.sessions)) {
      expect(['idle', 'active']).toContain((await engine.sessions.require(id)).status);
    }
    expect((await engine.runs.list({ status: 'interrupted' })).map((r) => r.id)).toEqual([runId]);

    writeFileSync(join(t.dir, 'gate'), '');
    const resumed = await engine.runs.resume(runId);
    expect(resumed.status).toBe('running');
    const done = await engine.runs.wait(runId, 30_000);
    expect(done.status).toBe('completed');
    const result = done.result as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['quick', 'slow1', 'slow2']);
    expect(result['quick']).toEqual({ ok: 1 });
    expect(JSON.stringify(result['slow1'])).toContain('slow1-done');
    expect(JSON.stringify(result['slow2'])).toContain('slow2-done');
    // The answer taken before the kill is not asked for again; the unanswered work is redone once.
    expect(await answers(engine, run.sessions['quick']!)).toBe(1);
    expect(await answers(engine, run.sessions['slow1']!)).toBe(1);
    expect(await answers(engine, run.sessions['slow2']!)).toBe(1);
    for (const id of Object.values(run.sessions)) {
      expect((await engine.sessions.require(id)).status).toBe('completed');
    }
    expect(await codeOf(engine.runs.resume(runId))).toBe('INVALID_INPUT');
    expect(await codeOf(engine.runs.resume('no-such-run'))).toBe('INVALID_INPUT');
  });

  it('closing the engine interrupts its runs; the reopened engine resumes them', async () => {
    t = await tempEngine();
    const workflow = await t.engine.workflows.create(gatedWorkflow(t.dir));
    const run = await t.engine.runs.start(workflow.id, 'close me');
    await waitFor(
      () => ['slow1', 'slow2'].every((n) => existsSync(join(t!.dir, `started-${n}`))),
      'both shells to start',
    );
    await t.engine.close();
    const engine = await t.reopen();
    expect(engine.recovery.interruptedRuns).toBe(0);
    expect((await engine.runs.require(run.id)).status).toBe('interrupted');
    writeFileSync(join(t.dir, 'gate'), '');
    await engine.runs.resume(run.id);
    const done = await engine.runs.wait(run.id, 30_000);
    expect(done.status).toBe('completed');
    expect(Object.keys(done.result as object).sort()).toEqual(['quick', 'slow1', 'slow2']);
  });

  it('after a checkpoint restore, a run captured running is interrupted and resumes; undo keeps acknowledged history', async () => {
    t = await tempEngine();
    const { engine } = t;
    const workflow = await engine.workflows.create(gatedWorkflow(t.dir));
    const run = await engine.runs.start(workflow.id, 'checkpoint me');
    await waitFor(
      async () =>
        ['slow1', 'slow2'].every((n) => existsSync(join(t!.dir, `started-${n}`))) &&
        (await answers(engine, run.sessions['quick']!)) === 1,
      'both shells to start and quick to answer',
    );
    const cp = await engine.checkpoints.create({ name: 'mid-run' });
    writeFileSync(join(t.dir, 'gate'), '');
    const first = await engine.runs.wait(run.id, 30_000);
    expect(first.status).toBe('completed');
    const late = () =>
      engine.bus.list({ sender: run.sessions['slow1']!, type: 'COMPLETION_NOTIFICATION' });
    // Acknowledgements are committed in groups: wait until the last one is.
    await waitFor(
      async () => (await late()).every((m) => m.state === 'acknowledged'),
      'the answers to be acknowledged',
    );
    const lateAnswers = await late();
    expect(lateAnswers.map((m) => m.state)).toEqual(['acknowledged']);

    const restored = await engine.checkpoints.restore(cp.id);
    expect(restored.conflicts).toContainEqual(
      expect.objectContaining({ kind: 'run-interrupted', id: run.id }),
    );
    expect((await engine.runs.require(run.id)).status).toBe('interrupted');
    // Published after the checkpoint: gone from the restored timeline.
    expect(await engine.bus.get(lateAnswers[0]!.id)).toBeUndefined();

    await engine.runs.resume(run.id);
    const done = await engine.runs.wait(run.id, 30_000);
    expect(done.status).toBe('completed');
    expect(Object.keys(done.result as object).sort()).toEqual(['quick', 'slow1', 'slow2']);
    expect(await answers(engine, run.sessions['quick']!)).toBe(1);
    expect(await answers(engine, run.sessions['slow1']!)).toBe(1);

    // Undo: the first timeline comes back with its acknowledged answers.
    await engine.checkpoints.restore(restored.preRestoreCheckpointId!);
    const back = await engine.bus.get(lateAnswers[0]!.id);
    expect(back?.state).toBe('acknowledged');
    expect(back?.content).toEqual(lateAnswers[0]!.content);
    expect((await engine.runs.require(run.id)).result).toEqual(first.result);
  });

  it('a fork of a checkpoint taken mid-run carries the run history, and its run resumes to the end', async () => {
    t = await tempEngine();
    const { engine } = t;
    const workflow = await engine.workflows.create(gatedWorkflow(t.dir));
    const run = await engine.runs.start(workflow.id, 'fork me');
    const quick = run.sessions['quick']!;
    const handled = async () => {
      const [answer] = await engine.bus.list({ sender: quick, type: 'COMPLETION_NOTIFICATION' });
      return answer?.state === 'acknowledged';
    };
    await waitFor(
      async () =>
        ['slow1', 'slow2'].every((n) => existsSync(join(t!.dir, `started-${n}`))) &&
        (await handled()),
      'both shells to start and quick to be answered',
    );
    const cp = await engine.checkpoints.create({ name: 'mid-run' });
    const forkPath = join(t.dir, 'fork', 'fork.db');
    const forked = await engine.checkpoints.fork(cp.id, { databasePath: forkPath });
    expect(forked.liveRuns).toEqual([run.id]);
    await engine.runs.cancel(run.id, 'the fork goes on instead');

    const fork = await t.reopen({
      databasePath: forkPath,
      messageQueuePath: join(t.dir, 'fork', 'queue'),
    });
    expect((await fork.runs.require(run.id)).status).toBe('interrupted');
    // The mail acknowledged before the checkpoint is the fork's history too: what quick was
    // asked and what it answered, as acknowledged.
    expect((await fork.bus.list({ receiver: quick })).map((m) => [m.type, m.state])).toEqual([
      ['DIRECTION', 'acknowledged'],
    ]);
    expect((await fork.bus.list({ sender: quick })).map((m) => [m.type, m.state])).toEqual([
      ['COMPLETION_NOTIFICATION', 'acknowledged'],
    ]);

    writeFileSync(join(t.dir, 'gate'), '');
    await fork.runs.resume(run.id);
    const done = await fork.runs.wait(run.id, 30_000);
    expect(done.status).toBe('completed');
    expect(Object.keys(done.result as object).sort()).toEqual(['quick', 'slow1', 'slow2']);
    // quick's answer was taken before the checkpoint: it is not asked again.
    expect(await answers(fork, quick)).toBe(1);
    expect(await fork.bus.list({ receiver: quick })).toHaveLength(1);
  });
});
