import { afterEach, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import type { WorkflowSession } from '../../src-shared/workflow';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { runToEnd, scriptDept, star } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const manual = (id: string): WorkflowSession => ({
  id,
  type: 'department',
  name: id,
  runner: { kind: 'manual' },
  position: { x: 0, y: 0 },
});

async function refusal(promise: Promise<unknown>): Promise<OrchestrationError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestrationError);
  return error as OrchestrationError;
}

describe('messages travel only along edges', () => {
  it('refuses off-edge sends (FORBIDDEN) and types the edge does not carry (INVALID_MESSAGE)', async () => {
    t = await tempEngine();
    const { engine } = t;
    const definition = star('edges', [manual('a'), manual('b')]);
    definition.edges[1]!.types = ['DIRECTION', 'COMPLETION_NOTIFICATION'];
    const workflow = await engine.workflows.create(definition);
    const run = await engine.runs.start(workflow.id, { ask: 'approve?' });
    await waitFor(() => engine.runs.waiting(run.id).length === 2, 'both manual steps waiting');

    const offEdge = await refusal(
      engine.runs.send(run.id, { from: 'a', to: 'b', type: 'HEARTBEAT' }),
    );
    expect(offEdge.code).toBe('FORBIDDEN');
    expect(offEdge.message).toMatch(/No edge joins "a" and "b"/);
    expect(offEdge.details.missingEdge).toEqual({ from: 'a', to: 'b' });

    const wrongWay = await refusal(
      engine.runs.send(run.id, { from: 'a', to: 'director', type: 'COMMAND' }),
    );
    expect(wrongWay.code).toBe('INVALID_MESSAGE');
    const notOnEdge = await refusal(
      engine.runs.send(run.id, { from: 'b', to: 'director', type: 'PROGRESS_REPORT' }),
    );
    expect(notOnEdge.code).toBe('INVALID_MESSAGE');
    expect(notOnEdge.details.edge).toBe('e-b');

    // Along an edge, in the right direction: accepted and delivered.
    const ok = await engine.runs.send(run.id, { from: 'a', to: 'director', type: 'STATUS_UPDATE' });
    expect(ok.metadata.runId).toBe(run.id);

    // Straight to the bus, around runs.send: the run refuses it into the dead-letter queue.
    const sneaky = await engine.bus.publish({
      type: 'HEARTBEAT',
      sender: run.sessions['a']!,
      receiver: run.sessions['b']!,
    });
    await waitFor(
      async () => (await engine.bus.get(sneaky.id))?.state === 'dead',
      'the off-edge message dead-lettered',
    );
    expect((await engine.bus.get(sneaky.id))?.failureReason).toMatch(/No edge joins/);

    for (const w of engine.runs.waiting(run.id)) {
      await engine.runs.answer(w.messageId, { approved: w.sessionName });
    }
    const done = await engine.runs.wait(run.id, 10_000);
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ a: { approved: 'a' }, b: { approved: 'b' } });
  });

  it("a script's ctx.send off the edges fails its department, and so the run", async () => {
    t = await tempEngine();
    const run = await runToEnd(
      t.engine,
      star('gossip', [
        scriptDept(
          'talker',
          `async function handle(m, ctx) { await ctx.send('quiet', 'HEARTBEAT', {}); }`,
        ),
        scriptDept('quiet', `async function handle() { return 'ok'; }`),
      ]),
      null,
    );
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Department "talker" failed: .*No edge joins "talker" and "quiet"/);
  });
});

describe('manual runner', () => {
  it('waits for a person; the answer completes the department and the run', async () => {
    t = await tempEngine();
    const { engine } = t;
    const workflow = await engine.workflows.create(star('approval', [manual('reviewer')]));
    const run = await engine.runs.start(workflow.id, { pr: 42 });
    await waitFor(() => engine.runs.waiting(run.id).length === 1, 'the manual step waiting');
    await new Promise((r) => setTimeout(r, 100));
    expect((await engine.runs.get(run.id))?.status).toBe('running');
    const [step] = engine.runs.waiting(run.id);
    expect(step).toMatchObject({ sessionName: 'reviewer', type: 'DIRECTION', content: { pr: 42 } });
    await engine.runs.answer(step!.messageId, 'LGTM');
    const done = await engine.runs.wait(run.id, 10_000);
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ reviewer: 'LGTM' });
    expect(engine.runs.waiting()).toEqual([]);
    await expect(engine.runs.answer(step!.messageId, 'again')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
