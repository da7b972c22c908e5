import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import type { Engine } from '../../src-main/engine';
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

  it('restores a checkpoint stored in format 1 (every row in one JSON document)', async () => {
    t = await tempEngine();
    const { engine, databasePath } = t;
    const { d, a, sent } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'old format' });
    const state = dump(databasePath, { unacknowledgedOnly: true });

    // Rewrite its payload the way engines before format 2 stored it.
    const db = new Database(databasePath);
    const table = (sql: string) => {
      const stmt = db.prepare(sql).raw(true);
      return { columns: stmt.columns().map((c) => c.name), rows: stmt.all() };
    };
    const payload = {
      format: 1,
      createdAt: cp.createdAt,
      dbSchemaVersion: 1,
      maxMessageSeq: (db.prepare('SELECT max(seq) AS n FROM messages').get() as { n: number }).n,
      sessions: table('SELECT * FROM sessions ORDER BY created_at, id'),
      workflows: table('SELECT * FROM workflows ORDER BY id'),
      runs: table('SELECT * FROM runs ORDER BY created_at, id'),
      messages: table(`SELECT * FROM messages WHERE state != 'acknowledged' ORDER BY seq`),
    };
    const data = gzipSync(JSON.stringify(payload));
    db.prepare(
      `UPDATE checkpoints SET data = ?, checksum = ?, codec = 'gzip', schema_version = 1 WHERE id = ?`,
    ).run(data, createHash('sha256').update(data).digest('hex'), cp.id);
    db.close();

    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    await engine.bus.acknowledge(sent[2]!.id);
    await engine.bus.requeue(sent[1]!.id);
    expect(await engine.checkpoints.validate(cp.id)).toMatchObject({ valid: true });
    await engine.checkpoints.restore(cp.id);
    expect(dump(databasePath, { unacknowledgedOnly: true })).toEqual(state);
  });
});

describe('the queue limit across a restore', () => {
  it('counts the mail a restore brings back toward maxQueueSize', async () => {
    t = await tempEngine({ bus: { maxQueueSize: 5 } });
    const { engine } = t;
    const d = await engine.sessions.create({ type: 'director', name: 'director' });
    const a = await engine.sessions.create({ type: 'department', name: 'dept' });
    const publish = () => engine.bus.publish({ type: 'DIRECTION', sender: d.id, receiver: a.id });
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await publish());
    const cp = await engine.checkpoints.create({ name: 'four waiting' });
    for (const m of first) await engine.bus.acknowledge(m.id);
    // Two more (the queue is counted on the way: two unacknowledged), then back to four waiting.
    await publish();
    await publish();
    await engine.checkpoints.restore(cp.id, { preserveCurrentState: false });
    expect((await engine.bus.stats()).queueSize).toBe(4);
    await publish();
    const error = await publish().catch((e: { code?: string }) => e);
    expect(error).toMatchObject({ code: 'QUEUE_FULL' });
  });
});

describe('restoring across timelines', () => {
  it('restores a message whose id was published again, at another seq, after an earlier restore', async () => {
    t = await tempEngine();
    const { engine } = t;
    const d = await engine.sessions.create({ type: 'director', name: 'director' });
    const a = await engine.sessions.create({ type: 'department', name: 'dept' });
    const publish = (id?: string) =>
      engine.bus.publish({ type: 'DIRECTION', sender: d.id, receiver: a.id, ...(id && { id }) });
    const empty = await engine.checkpoints.create({ name: 'empty' });
    const keyed = await publish('step-1');
    const other = await publish();
    const withKeyed = await engine.checkpoints.create({ name: 'step 1 sent' });

    // Rewound, the agent sends something else first and then step 1 again, with its same id:
    // the seqs after the rewind are handed out again, so step 1 now sits one seq later.
    await engine.checkpoints.restore(empty.id, { preserveCurrentState: false });
    const detour = await publish();
    await publish('step-1');

    const result = await engine.checkpoints.restore(withKeyed.id, { preserveCurrentState: false });
    expect(result.success).toBe(true);
    const waiting = await engine.bus.list({ limit: 10 });
    expect(waiting.map((m) => m.id).sort()).toEqual([keyed.id, other.id].sort());
    expect(await engine.bus.get(detour.id)).toBeUndefined();
  });
});

describe('sessions a restore removes', () => {
  it('are forgotten: they can no longer send, and their name is free again', async () => {
    t = await tempEngine();
    const { engine } = t;
    const d = await engine.sessions.create({ type: 'director', name: 'director' });
    await engine.sessions.create({ type: 'department', name: 'dept' });
    const cp = await engine.checkpoints.create({ name: 'before the temp' });
    const temp = await engine.sessions.create({ type: 'department', name: 'temp' });
    // Sent once, so the bus has it in memory as a sender.
    await engine.bus.publish({ type: 'STATUS_UPDATE', sender: temp.id, receiver: d.id });

    await engine.checkpoints.restore(cp.id, { preserveCurrentState: false });
    for (const sender of [temp.id, 'temp']) {
      await expect(
        engine.bus.publish({ type: 'STATUS_UPDATE', sender, receiver: d.id }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'sender' });
    }
    const again = await engine.sessions.create({ type: 'observer', name: 'temp' });
    expect((await engine.sessions.typeOf('temp'))?.id).toBe(again.id);
  });

  it('leave the engine answering as one freshly opened on the file does', async () => {
    t = await tempEngine();
    const { d, a } = await smallOrchestration(t.engine);
    const cp = await t.engine.checkpoints.create({ name: 'small' });
    const extra = await t.engine.sessions.create({ type: 'department', name: 'extra' });
    await t.engine.sessions.update(d.id, { name: 'chief' });
    await t.engine.sessions.update(a.id, { name: 'director-2' });
    await t.engine.bus.publish({ type: 'DIRECTION', sender: d.id, receiver: 'extra' });
    await t.engine.bus.publish({ type: 'STATUS_UPDATE', sender: extra.id, receiver: 'chief' });
    const names = ['director', 'chief', 'dept-a', 'director-2', 'dept-b', 'extra', extra.id, d.id];

    await t.engine.checkpoints.restore(cp.id, { preserveCurrentState: false });
    const restored = await views(t.engine, names);
    await t.engine.close();
    expect(await views(await t.reopen(), names)).toEqual(restored);
  });
});

/** What the engine's services answer, from memory where they keep one. */
async function views(engine: Engine, names: string[]) {
  return {
    sessions: await engine.sessions.list(),
    byName: await Promise.all(
      names.map(async (n) => ({
        n,
        known: engine.sessions.knownType(n) ?? (await engine.sessions.typeOf(n)),
        aliases: engine.sessions.aliasesOf(n),
      })),
    ),
    workflows: await engine.workflows.list(),
    runs: await engine.runs.list(),
    messages: await engine.bus.list({ limit: 100 }),
    queueSize: (await engine.bus.health()).queueSize,
  };
}
