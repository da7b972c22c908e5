import { afterEach, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { director, returns, scriptDept, star } from '../runs/helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
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

const base = (): WorkflowDefinition =>
  star('review', [scriptDept('lint', returns(1)), scriptDept('test', returns(2))]);

describe('engine.workflows', () => {
  it('creates, lists, gets, updates with a revision check, deletes; survives a restart', async () => {
    t = await tempEngine();
    const { engine } = t;
    const created = await engine.workflows.create(base());
    expect(created.revision).toBe(1);
    expect(created.definition.sessions).toHaveLength(3);
    const renamed = { ...created.definition, name: 'review v2' };
    const updated = await engine.workflows.update(created.id, renamed, 1);
    expect(updated.revision).toBe(2);
    const stale = await refusal(engine.workflows.update(created.id, renamed, 1));
    expect(stale.code).toBe('INVALID_INPUT');
    expect(stale.details.revision).toBe(2);

    const again = await t.reopen();
    expect((await again.workflows.get(created.id))?.definition.name).toBe('review v2');
    expect((await again.workflows.list()).map((w) => w.id)).toEqual([created.id]);
    expect(await again.workflows.delete(created.id)).toBe(true);
    expect(await again.workflows.get(created.id)).toBeUndefined();
  });

  it('refuses bad definitions with the JSON path of the problem', async () => {
    t = await tempEngine();
    const { engine } = t;
    const cases: Array<[WorkflowDefinition, string, string]> = [];
    const dupId = base();
    dupId.sessions[2] = { ...dupId.sessions[2]!, id: 'lint', name: 'other' };
    cases.push([dupId, 'sessions[2].id', 'INVALID_INPUT']);
    const badEdge = base();
    badEdge.edges[0] = { ...badEdge.edges[0]!, to: 'nowhere' };
    cases.push([badEdge, 'edges[0].to', 'INVALID_INPUT']);
    const twoDirectors = base();
    twoDirectors.sessions.push({ ...director(), id: 'boss2', name: 'boss2' });
    cases.push([twoDirectors, 'sessions[3].type', 'INVALID_INPUT']);
    const wrongRunner = base();
    wrongRunner.sessions[1] = { ...wrongRunner.sessions[1]!, runner: { kind: 'fan-out' } };
    cases.push([wrongRunner, 'sessions[1].runner.kind', 'INVALID_INPUT']);
    const wrongType = base();
    wrongType.edges[1] = { ...wrongType.edges[1]!, types: ['COMMAND', 'SESSION_REGISTER'] };
    cases.push([wrongType, 'edges[1].types[1]', 'INVALID_MESSAGE']);
    const schema = base() as unknown as { sessions: Array<Record<string, unknown>> };
    schema.sessions[1]!.type = 'manager';
    cases.push([schema as unknown as WorkflowDefinition, 'sessions[1].type', 'INVALID_INPUT']);

    for (const [definition, path, code] of cases) {
      const error = await refusal(engine.workflows.create(definition));
      expect({ path: error.details.field, code: error.code }).toEqual({ path, code });
    }
    expect(await engine.workflows.list()).toEqual([]);
  });

  it('will not delete a workflow while one of its runs is going', async () => {
    t = await tempEngine();
    const { engine } = t;
    const wf = await engine.workflows.create(
      star('manual', [
        {
          id: 'human',
          type: 'department',
          name: 'human',
          runner: { kind: 'manual' },
          position: { x: 0, y: 0 },
        },
      ]),
    );
    const run = await engine.runs.start(wf.id, 'please');
    const error = await refusal(engine.workflows.delete(wf.id));
    expect(error.code).toBe('INVALID_INPUT');
    await engine.runs.cancel(run.id);
    expect(await engine.workflows.delete(wf.id)).toBe(true);
    expect((await engine.runs.get(run.id))?.status).toBe('cancelled');
  });

  it('a run needs a director and a runner for every department', async () => {
    t = await tempEngine();
    const { engine } = t;
    const noDirector = await engine.workflows.create({
      name: 'headless',
      sessions: [scriptDept('lone', returns(1))],
      edges: [],
    });
    const e1 = await refusal(engine.runs.start(noDirector.id, null));
    expect(e1.code).toBe('INVALID_INPUT');
    expect(e1.message).toMatch(/one director/);
    const draft = base();
    delete draft.sessions[2]!.runner; // a draft may be saved without one …
    const saved = await engine.workflows.create(draft);
    const e2 = await refusal(engine.runs.start(saved.id, null)); // … but not run
    expect(e2.details.field).toBe('sessions[2].runner');
    expect(await engine.runs.list()).toEqual([]);
  });
});
