import { afterEach, describe, expect, it } from 'vitest';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { returns, runToEnd, scriptDept, star } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('fan-out runs', () => {
  it('1 director and 8 departments: every result aggregated, sessions completed', async () => {
    t = await tempEngine();
    const { engine } = t;
    const departments = Array.from({ length: 8 }, (_, i) =>
      scriptDept(
        `dept-${i}`,
        `async function handle(message, ctx) {
           ctx.state.seen = (ctx.state.seen ?? 0) + 1;
           ctx.log('working on ' + message.content.task);
           return { dept: ${i}, task: message.content.task, seen: ctx.state.seen };
         }`,
      ),
    );
    const run = await runToEnd(engine, star('fan', departments), { task: 'review' });
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    const result = run.result as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(departments.map((d) => d.id).sort());
    for (let i = 0; i < 8; i++) {
      expect(result[`dept-${i}`]).toEqual({ dept: i, task: 'review', seen: 1 });
    }
    expect(Object.keys(run.sessions)).toHaveLength(9);
    for (const id of Object.values(run.sessions)) {
      const session = await engine.sessions.require(id);
      expect(session.status).toBe('completed');
      expect(session.metadata.runId).toBe(run.id);
    }
    // ctx.state was persisted in the session
    const dept0 = await engine.sessions.require(run.sessions['dept-0']!);
    expect(dept0.state).toEqual({ seen: 1 });
    expect(run.startedAt).not.toBeNull();
    expect(run.endedAt).toBeGreaterThanOrEqual(run.startedAt!);
    expect((await engine.runs.list()).map((r) => r.id)).toEqual([run.id]);
    // Nothing of the run is left waiting in the queue or in the dead-letter queue.
    await waitFor(async () => (await engine.bus.stats()).queueSize === 0, 'an empty queue');
    expect(await engine.bus.deadLetters()).toEqual([]);
  });

  it('12 departments at work at once: no listener-leak warning from the run signal they share', async () => {
    t = await tempEngine();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const departments = Array.from({ length: 12 }, (_, i) =>
        scriptDept(
          `busy-${i}`,
          `async function handle() { await new Promise((r) => setTimeout(r, 200)); return ${i}; }`,
        ),
      );
      const run = await runToEnd(t.engine, star('wide', departments), 'go');
      expect(run.status).toBe('completed');
      expect(Object.keys(run.result as object)).toHaveLength(12);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('a department that fails fails the run, naming it', async () => {
    t = await tempEngine();
    const departments = [
      scriptDept('ok-1', returns('fine')),
      scriptDept('broken', `async function handle() { throw new Error('lint found 3 errors'); }`),
      scriptDept('ok-2', returns('fine')),
    ];
    const run = await runToEnd(t.engine, star('fails', departments), 'x');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Department "broken" failed: .*lint found 3 errors/);
    for (const id of Object.values(run.sessions)) {
      expect((await t.engine.sessions.require(id)).status).toBe('terminated');
    }
  });
});

describe('timeouts', () => {
  it('a silent department goes to error, the director is told, and the run fails naming it', async () => {
    t = await tempEngine();
    const { engine } = t;
    const departments = [
      scriptDept('quick', returns('done')),
      scriptDept('stuck', `async function handle() { await new Promise(() => {}); }`, {
        limits: { timeoutMs: 300 },
      }),
    ];
    const run = await runToEnd(engine, star('timeout', departments), 'go');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Department "stuck" failed: .*timed out/);
    const stuck = await engine.sessions.require(run.sessions['stuck']!);
    expect(stuck.status).toBe('terminated');
    const history = await engine.sessions.history(stuck.id);
    expect(history.map((h) => h.to)).toContain('error');
    const errors = await engine.bus.list({ type: 'ERROR', sender: stuck.id });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.receiverId).toBe(run.sessions['director']);
    expect((errors[0]!.content as { error: { code: string } }).error.code).toBe('TASK_TIMEOUT');
    // the stuck worker was ended: nothing of the run is still running in the pool
    expect(engine.pool.stats().active).toBe(0);
  });
});
