import { afterEach, describe, expect, it } from 'vitest';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { pingPong } from './fixtures/ping-pong';
import { dump, smallOrchestration } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** A ping-pong run checkpointed while it runs, then cancelled. */
async function checkpointMidRunThenCancel() {
  t = await tempEngine();
  const { engine, databasePath } = t;
  const workflow = await engine.workflows.create(pingPong);
  const run = await engine.runs.start(workflow.id, null);
  await waitFor(() => dump(databasePath).messages.length >= 6, 'the run to get going', 15_000);
  const cp = await engine.checkpoints.create({ name: 'mid-run', runId: run.id });
  await engine.runs.cancel(run.id, 'stopped by the test');
  return { engine, run, cp };
}

describe('restore preview', () => {
  it('says what the restore will do to a run that was live at the checkpoint, and the restore does it', async () => {
    const { engine, run, cp } = await checkpointMidRunThenCancel();
    const statusBefore = new Map((await engine.sessions.list()).map((s) => [s.id, s.status]));

    const preview = await engine.checkpoints.preview(cp.id);

    // Live at the checkpoint, cancelled now: it comes back interrupted, not running.
    expect(preview.runs.interrupted).toEqual([run.id]);
    expect(preview.runs.statusChanged).toEqual([
      { id: run.id, from: 'cancelled', to: 'interrupted' },
    ]);
    expect(preview.lines.join('\n')).toMatch(
      /1 run was running at the checkpoint: it comes back interrupted/,
    );
    expect(preview.lines.join('\n')).not.toMatch(/back to running/);
    expect(preview.lines).toContain(
      `Run …${run.id.slice(-8)} of "ping-pong" goes from cancelled to interrupted.`,
    );
    for (const s of preview.sessions.statusChanged) {
      expect(s.to).not.toBe('active');
      // Named as in the workflow, with its run (the engine's name carries the run's id tail).
      const own = s.name.slice(s.name.indexOf('/') + 1);
      expect(preview.lines).toContain(
        `Session "${own}" (run …${run.id.slice(-8)}) goes from ${s.from} to ${s.to}.`,
      );
    }

    await engine.checkpoints.restore(cp.id);

    // Every status the preview named is the status the restore gave; every other one is unchanged.
    const predicted = new Map(preview.sessions.statusChanged.map((s) => [s.id, s.to]));
    expect(predicted.size).toBeGreaterThan(0);
    for (const s of await engine.sessions.list()) {
      expect(s.status).toBe(predicted.get(s.id) ?? statusBefore.get(s.id));
    }
    expect((await engine.runs.require(run.id)).status).toBe('interrupted');
  });

  it('names the runs started after the checkpoint, which the restore takes out of the run history', async () => {
    t = await tempEngine();
    const { engine } = t;
    const workflow = await engine.workflows.create(pingPong);
    const cp = await engine.checkpoints.create({ name: 'before any run' });
    const run = await engine.runs.start(workflow.id, null);
    await engine.runs.cancel(run.id, 'stopped by the test');

    const preview = await engine.checkpoints.preview(cp.id);

    expect(preview.runs.removed).toEqual([run.id]);
    expect(preview.lines).toContain(
      `1 run leaves the run history (started after the checkpoint): …${run.id.slice(-8)} of "ping-pong".`,
    );
    await engine.checkpoints.restore(cp.id);
    expect(await engine.runs.get(run.id)).toBeUndefined();
  });

  it('warns that a checkpoint an earlier restore left behind lacks the history acknowledged since', async () => {
    t = await tempEngine();
    const { engine } = t;
    const { d, a } = await smallOrchestration(engine);
    const early = await engine.checkpoints.create({ name: 'early' });
    const done = await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    await engine.bus.acknowledge(done.id);
    const late = await engine.checkpoints.create({ name: 'late' });

    // Along the timeline: the head and its ancestors have their history here.
    for (const cp of [late, early]) {
      const preview = await engine.checkpoints.preview(cp.id);
      expect(preview.historyIncomplete).toBe(false);
      expect(preview.warnings).toEqual([]);
    }
    const back = await engine.checkpoints.restore(early.id);
    expect(back.warnings.join('\n')).not.toMatch(/another timeline/);

    // "late" was left behind: what was acknowledged after "early" went with the restore.
    const preview = await engine.checkpoints.preview(late.id);
    expect(preview.historyIncomplete).toBe(true);
    expect(preview.warnings).toEqual([
      'Checkpoint "late" is on another timeline (an earlier restore left it, or it was imported): ' +
        'messages acknowledged on that timeline after it parted from this one are not in this ' +
        'database, so a run resumed from it may do that work again. To keep them, restore the ' +
        '"Before restoring" checkpoint of the restore that left it first.',
    ]);
    expect(preview.lines.join('\n')).not.toMatch(/another timeline/);
    // The undo carries that history: no warning, and it brings the message back.
    expect((await engine.checkpoints.preview(back.preRestoreCheckpointId!)).historyIncomplete).toBe(
      false,
    );
    const jumped = await engine.checkpoints.restore(late.id);
    expect(jumped.warnings.join('\n')).toMatch(/"late" is on another timeline/);
    expect(await engine.bus.get(done.id)).toBeUndefined();
    await engine.checkpoints.restore(back.preRestoreCheckpointId!);
    expect((await engine.bus.get(done.id))?.state).toBe('acknowledged');
    // From there, "late" is on the timeline again and comes back whole.
    expect((await engine.checkpoints.preview(late.id)).historyIncomplete).toBe(false);
    expect((await engine.checkpoints.restore(late.id)).warnings).toEqual([]);
    expect((await engine.bus.get(done.id))?.state).toBe('acknowledged');
  });

  it('compares two checkpoints of a run in sentences that name its sessions and run as the workflow does', async () => {
    const { engine, run, cp: before } = await checkpointMidRunThenCancel();
    const after = await engine.checkpoints.create({ name: 'cancelled' });

    const diff = await engine.checkpoints.compare(before.id, after.id);

    const tail = `…${run.id.slice(-8)}`;
    expect(diff.lines).toContain(`Run ${tail} of "ping-pong": running → cancelled.`);
    expect(diff.sessions.statusChanged.length).toBeGreaterThan(0);
    for (const s of diff.sessions.statusChanged) {
      const own = s.name.slice(s.name.indexOf('/') + 1);
      expect(diff.lines).toContain(`Session "${own}" (run ${tail}): ${s.from} → ${s.to}.`);
    }
    // Mail is addressed by the receiver's name in the workflow, never by an engine id.
    const mail = diff.lines.filter((l) => l.startsWith('Message '));
    for (const line of mail) expect(line).toMatch(/ to (everyone|"[^"/]+" \(run …\w{8}\))/);
    expect(diff.lines.join('\n')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});
