import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src-shared/types';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { scriptDept, star } from '../runs/helpers';
import { pingPong } from './fixtures/ping-pong';
import { dump } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const maxSeq = (path: string) => Math.max(0, ...dump(path).messages.map((m) => m.seq as number));

describe('restore during a busy run', () => {
  it('stops the abandoned timeline and loses nothing from the restored one', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const workflow = await engine.workflows.create(pingPong);
    const run = await engine.runs.start(workflow.id, null);
    await waitFor(() => maxSeq(databasePath) >= 10, 'the run to get going', 15_000);
    // A department acknowledges a message when it takes it (work in hand is recovered from the
    // history on resume), so a moment with no mail in flight exists: checkpoint one with some.
    let cp = await engine.checkpoints.create({ name: 'mid-run', runId: run.id });
    for (let i = 0; i < 50 && (cp.summary.pending ?? 0) + (cp.summary.leased ?? 0) === 0; i++) {
      await engine.checkpoints.delete(cp.id);
      cp = await engine.checkpoints.create({ name: 'mid-run', runId: run.id });
    }
    expect((cp.summary.pending ?? 0) + (cp.summary.leased ?? 0)).toBeGreaterThan(0);
    expect(cp.summary.runs).toBe(1);
    const seqAtCheckpoint = maxSeq(databasePath);
    await waitFor(() => maxSeq(databasePath) >= seqAtCheckpoint + 10, 'the run to go on', 15_000);

    const result = await engine.checkpoints.restore(cp.id);
    expect(result.success).toBe(true);
    expect(result.conflicts).toContainEqual(
      expect.objectContaining({ kind: 'run-cancelled', id: run.id }),
    );
    expect(result.conflicts).toContainEqual(
      expect.objectContaining({ kind: 'run-interrupted', id: run.id }),
    );
    expect(result.warnings.join(' ')).toMatch(/resume them \(runs\.resume\)/);

    // Nothing published after the checkpoint survives, and nothing more is published.
    const after = dump(databasePath);
    expect(Math.max(...after.messages.map((m) => m.seq as number))).toBeLessThanOrEqual(
      seqAtCheckpoint,
    );
    const right = await engine.checkpoints.create({ name: 'right after' });
    await new Promise((r) => setTimeout(r, 300));
    expect(dump(databasePath).messages).toEqual(after.messages);

    // Every message the checkpoint held is back, unacknowledged (in flight → pending again).
    const diff = await engine.checkpoints.compare(cp.id, right.id);
    expect(diff.messages.counts).toMatchObject({ appeared: 0, acknowledged: 0 });
    for (const m of diff.messages.moved) {
      expect(m.from.state).toBe('leased');
      expect(m.to.state).toBe('pending');
    }
    // Session state (the scripts' ctx.state) is as it was at the checkpoint.
    expect(diff.sessions.stateChanged).toEqual([]);
    // The run is recorded honestly: interrupted (resumable), nobody working for it.
    const ended = await engine.runs.require(run.id);
    expect(ended.status).toBe('interrupted');
    for (const id of Object.values(ended.sessions)) {
      expect((await engine.sessions.require(id)).status).not.toBe('active');
    }

    // The restored mail is deliverable: a subscriber gets each message exactly once.
    const waiting = new Set(
      after.messages.filter((m) => m.state === 'pending').map((m) => m.id as string),
    );
    expect(waiting.size).toBeGreaterThan(0);
    const got: Message[] = [];
    engine.bus.subscribe({ receivers: Object.values(ended.sessions) }, (m) => void got.push(m));
    await waitFor(() => got.length >= waiting.size, 'the restored mail to be delivered', 10_000);
    expect(new Set(got.map((m) => m.id))).toEqual(waiting);
    expect(got.length).toBe(waiting.size);
  });

  it('a handler still at work when the restore replaces its message settles nothing: the restored copy is delivered again', async () => {
    t = await tempEngine({ checkpoints: { drainMs: 50 } } as never);
    const { engine } = t;
    const director = await engine.sessions.create({ type: 'director', name: 'director' });
    await engine.sessions.create({ type: 'department', name: 'dept' });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const deliveries: { attempts: number; stateWhileHandled: string }[] = [];
    engine.bus.subscribe({}, async (m) => {
      // The first delivery outlives the restore's drain; the second is the restored copy's.
      if (deliveries.length === 0) {
        deliveries.push({ attempts: m.attempts, stateWhileHandled: 'held' });
        await held;
        return;
      }
      // Long enough for an acknowledgement of the first delivery to be committed, had it been sent.
      await new Promise((r) => setTimeout(r, 100));
      const state = (await engine.bus.get(m.id))!.state;
      deliveries.push({ attempts: m.attempts, stateWhileHandled: state });
    });
    const m = await engine.bus.publish({
      type: 'COMMAND',
      sender: director.id,
      receiver: 'dept',
      content: { job: 1 },
    });
    await waitFor(() => deliveries.length === 1, 'the first delivery');
    const cp = await engine.checkpoints.create({ name: 'while it is handled' });
    expect(cp.summary.leased).toBe(1);

    const result = await engine.checkpoints.restore(cp.id, { preserveCurrentState: false });
    expect(result.warnings.join(' ')).toMatch(/still being handled .* delivered again/);
    // The restored copy is taken by the restored timeline while the old handler still runs.
    await waitFor(
      async () => (await engine.bus.get(m.id))!.state === 'leased',
      'the restored copy to be delivered',
    );
    release();
    await waitFor(() => deliveries.length === 2, 'the restored copy to be handled');
    // The old handler returned, yet the restored copy was not acknowledged under its new handler.
    // (Its second delivery: it was in flight at the checkpoint.)
    expect(deliveries[1]).toEqual({ attempts: 2, stateWhileHandled: 'leased' });
    await waitFor(
      async () => (await engine.bus.get(m.id))!.state === 'acknowledged',
      'the restored copy to be acknowledged by its own handler',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(deliveries).toHaveLength(2);
  });

  it('takes an automatic checkpoint when a run ends, if configured', async () => {
    t = await tempEngine({ checkpoints: { onRunEnd: true } } as never);
    const { engine } = t;
    const workflow = await engine.workflows.create(
      star('quick', [scriptDept('a', `async function handle() { return 1; }`)]),
    );
    const run = await engine.runs.start(workflow.id, null);
    await engine.runs.wait(run.id);
    await waitFor(
      async () => (await engine.checkpoints.list({ automatic: true })).length === 1,
      'auto checkpoint',
    );
    const [auto] = await engine.checkpoints.list({ automatic: true });
    expect(auto).toMatchObject({ runId: run.id, automatic: true });
    expect(auto!.name).toBe(`Run …${run.id.slice(-8)} completed`);
  });
});
