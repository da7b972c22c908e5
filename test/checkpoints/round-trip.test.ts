import { afterEach, describe, expect, it } from 'vitest';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { dump, smallOrchestration } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('checkpoint round trip', () => {
  it('restores sessions, topology, runs and messages field by field', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { d, a, b, workflow, sent } = await smallOrchestration(engine);
    const before = dump(databasePath);

    const cp = await engine.checkpoints.create({
      name: 'baseline',
      tags: ['demo'],
      description: 'start',
    });
    expect(cp).toMatchObject({
      name: 'baseline',
      tags: ['demo'],
      automatic: false,
      parentId: null,
    });
    expect(cp.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(cp.summary).toMatchObject({
      sessions: 3,
      workflows: 1,
      pending: 3,
      dead: 1,
      messages: 4,
    });

    // Change everything: publish, acknowledge, statuses, state, a new session, the topology.
    await engine.bus.publish({
      type: 'COMMAND',
      sender: d.id,
      receiver: a.id,
      content: { late: true },
    });
    await engine.bus.acknowledge(sent[2]!.id);
    await engine.bus.requeue(sent[1]!.id);
    await engine.sessions.setStatus(a.id, 'idle');
    await engine.sessions.setStatus(b.id, 'error', 'broke');
    await engine.sessions.update(a.id, { state: { step: 2 } });
    await engine.sessions.update(d.id, { name: 'renamed-director' });
    await engine.sessions.create({ type: 'department', name: 'dept-a-2' });
    await engine.workflows.update(workflow.id, {
      ...workflow.definition,
      name: 'pipeline v2',
      edges: [],
    });
    expect(dump(databasePath)).not.toEqual(before);

    const result = await engine.checkpoints.restore(cp.id);
    expect(result).toMatchObject({ success: true, restoredFrom: cp.id });
    expect(result.preRestoreCheckpointId).toEqual(expect.any(String));
    expect(result.conflicts.map((c) => c.kind)).toEqual(
      expect.arrayContaining(['session-removed', 'messages-discarded']),
    );

    const after = dump(databasePath);
    for (const table of ['sessions', 'workflows', 'runs', 'messages'] as const) {
      expect(after[table].length, table).toBe(before[table].length);
      after[table].forEach((row, i) => expect(row, `${table}[${i}]`).toEqual(before[table][i]));
    }
    // The services see the restored state too.
    expect((await engine.sessions.require('director')).id).toBe(d.id);
    expect(await engine.sessions.get('dept-a-2')).toBeUndefined();
    expect((await engine.workflows.require(workflow.id)).definition.name).toBe('pipeline');
    expect((await engine.bus.mailbox(a.id)).map((m) => m.content)).toEqual([{ task: 3 }]);
    expect(await engine.checkpoints.stats()).toMatchObject({
      count: 2,
      automatic: 1,
      named: 1,
      head: cp.id,
    });
  });

  it('keeps the chain: parent is the last checkpoint created or restored', async () => {
    t = await tempEngine();
    const { engine } = t;
    await smallOrchestration(engine);
    const one = await engine.checkpoints.create({ name: 'one' });
    const two = await engine.checkpoints.create({ name: 'two' });
    expect(two.parentId).toBe(one.id);
    const r = await engine.checkpoints.restore(one.id);
    expect((await engine.checkpoints.require(r.preRestoreCheckpointId!)).parentId).toBe(two.id);
    const three = await engine.checkpoints.create({ name: 'three' });
    expect(three.parentId).toBe(one.id);
  });
});
