import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import { decode, encode } from '../../src-main/engine/checkpoints/codec';
import { SqliteCheckpointStore } from '../../src-main/engine/store/sqlite/checkpoints';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { dump, smallOrchestration, tamper } from './helpers';

const temps: TempEngine[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const t of temps.splice(0)) await t.cleanup();
});
async function open() {
  const t = await tempEngine();
  temps.push(t);
  return t;
}
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

describe('validation before anything is touched', () => {
  it('refuses a checkpoint with one byte changed (INVALID_FORMAT) and changes nothing', async () => {
    const { engine, databasePath } = await open();
    const { d, a } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'good' });
    await engine.sessions.setStatus(a.id, 'idle');
    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    const current = dump(databasePath);
    const count = (await engine.checkpoints.stats()).count;

    tamper(databasePath, cp.id);
    const error = await refusal(engine.checkpoints.restore(cp.id));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.message).toMatch(/checksum/);
    expect(dump(databasePath)).toEqual(current);
    expect((await engine.checkpoints.stats()).count).toBe(count); // no pre-restore checkpoint either
    expect(await engine.checkpoints.validate(cp.id)).toMatchObject({ valid: false });
  });

  it('refuses packed message rows that are not the one table it lists, though the checksum matches', async () => {
    const { engine, databasePath } = await open();
    const { d, a } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'crafted' });
    const db = new Database(databasePath);
    const { data } = db.prepare('SELECT data FROM checkpoints WHERE id = ?').get(cp.id) as {
      data: Buffer;
    };
    const payload = await decode(data, cp, 1_000);
    const image = new Database(Buffer.concat(payload.messages.packed!));
    image.exec('CREATE TABLE extra (x)');
    payload.messages.packed = [image.serialize()];
    image.close();
    const crafted = await encode(payload);
    db.prepare('UPDATE checkpoints SET data = ?, checksum = ? WHERE id = ?').run(
      crafted.data,
      crafted.checksum,
      cp.id,
    );
    db.close();
    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    const before = dump(databasePath);
    const error = await refusal(engine.checkpoints.restore(cp.id));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.message).toMatch(/messages are malformed/);
    expect(dump(databasePath)).toEqual(before);
  });

  it('refuses an unknown checkpoint format version', async () => {
    const { engine, databasePath } = await open();
    await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'v1' });
    expect(await engine.checkpoints.validate(cp.id)).toEqual({
      id: cp.id,
      valid: true,
      errors: [],
    });
    const db = new Database(databasePath);
    db.prepare('UPDATE checkpoints SET schema_version = 99 WHERE id = ?').run(cp.id);
    db.close();
    const before = dump(databasePath);
    expect((await refusal(engine.checkpoints.restore(cp.id))).code).toBe('INVALID_FORMAT');
    expect(dump(databasePath)).toEqual(before);
  });

  it('refuses a checkpoint larger than maxSizeBytes with a clear error, saving nothing', async () => {
    const t = await tempEngine({ checkpoints: { maxSizeBytes: 200 } } as never);
    temps.push(t);
    await smallOrchestration(t.engine);
    const error = await refusal(t.engine.checkpoints.create({ name: 'too big' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/limit is 0\.0 MB/);
    expect(error.details).toMatchObject({ limitBytes: 200 });
    expect((await t.engine.checkpoints.stats()).count).toBe(0);
  });
});

describe('undo, compare, export and import', () => {
  it('the pre-restore checkpoint undoes the restore', async () => {
    const { engine, databasePath } = await open();
    const { d, a, b, sent } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'early' });
    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: b.id, content: 'later' });
    await engine.bus.acknowledge(sent[3]!.id);
    await engine.sessions.setStatus(a.id, 'idle');
    await engine.sessions.update(b.id, { state: { changed: true } });
    const changed = dump(databasePath, { unacknowledgedOnly: true });

    const r = await engine.checkpoints.restore(cp.id);
    expect(dump(databasePath, { unacknowledgedOnly: true })).not.toEqual(changed);
    const undo = await engine.checkpoints.require(r.preRestoreCheckpointId!);
    expect(undo).toMatchObject({ automatic: true, tags: ['auto', 'pre-restore'] });
    const back = await engine.checkpoints.restore(undo.id, { preserveCurrentState: false });
    expect(back.preRestoreCheckpointId).toBeNull();
    expect(dump(databasePath, { unacknowledgedOnly: true })).toEqual(changed);
  });

  it('names undo and redo checkpoints after what was restored, without nesting', async () => {
    const { engine } = await open();
    const { a } = await smallOrchestration(engine);
    const named = await engine.checkpoints.create({ name: 'Before restoring "x"' });
    await engine.sessions.setStatus(a.id, 'idle');
    const restoredX = await engine.checkpoints.restore(named.id);
    const names = [];
    let undo = restoredX.preRestoreCheckpointId!;
    for (let i = 0; i < 3; i++) {
      const meta = await engine.checkpoints.require(undo);
      names.push(meta.name);
      undo = (await engine.checkpoints.restore(meta.id)).preRestoreCheckpointId!;
    }
    names.push((await engine.checkpoints.require(undo)).name);
    // A name a person gave is quoted as it is, even when it reads like an automatic one.
    expect(names).toEqual([
      'Before restoring "Before restoring "x""',
      'Before undoing the restore of "Before restoring "x""',
      'Before redoing the restore of "Before restoring "x""',
      'Before undoing the restore of "Before restoring "x""',
    ]);
    // Each holds the state its name says: with the restored checkpoint's status, or without it.
    const statusIn = async (id: string) => {
      await engine.checkpoints.restore(id, { preserveCurrentState: false });
      return (await engine.sessions.require(a.id)).status;
    };
    expect(await statusIn(restoredX.preRestoreCheckpointId!)).toBe('idle');
    expect(await statusIn(named.id)).not.toBe('idle');
  });

  it('previews what a restore would change, changing nothing', async () => {
    const { engine, databasePath } = await open();
    const { d, a } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'before' });
    await engine.sessions.setStatus(a.id, 'idle');
    const extra = await engine.sessions.create({ type: 'observer', name: 'watcher' });
    await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    const state = dump(databasePath);
    const preview = await engine.checkpoints.preview(cp.id);
    expect(dump(databasePath)).toEqual(state);
    expect(preview.sessions.removed).toEqual([{ id: extra.id, name: 'watcher' }]);
    expect(preview.sessions.statusChanged).toEqual([
      { id: a.id, name: 'dept-a', from: 'idle', to: 'active' },
    ]);
    expect(preview.messages).toEqual({
      now: { pending: 4, leased: 0, dead: 1 },
      atCheckpoint: { pending: 3, leased: 0, dead: 1 },
    });
    expect(preview.lines.join('\n')).toMatch(/watcher/);
    expect(preview.lines).toContain(
      'Unacknowledged messages: 5 now (4 pending, 0 in flight, 1 dead-lettered) → 4 after (3 pending, 1 dead-lettered).',
    );
  });

  it('says that mail in flight at the checkpoint comes back pending and is delivered again', async () => {
    const { engine } = await open();
    const { a } = await smallOrchestration(engine);
    const delivered = new Promise<void>((resolve) => {
      engine.bus.subscribe({ receivers: [a.id] }, () => {
        resolve();
        return new Promise<void>(() => {}); // never acknowledged: stays in flight
      });
    });
    await delivered;
    const cp = await engine.checkpoints.create({ name: 'in flight' });
    const preview = await engine.checkpoints.preview(cp.id);
    expect(preview.messages.atCheckpoint.leased).toBeGreaterThan(0);
    const n = preview.messages.atCheckpoint.leased;
    expect(preview.lines.join('\n')).toContain(
      `${n} ${n === 1 ? 'message was' : 'messages were'} in flight at the checkpoint and ${n === 1 ? 'is' : 'are'} delivered again.`,
    );
  });

  it('compare lists sessions that changed and messages that appeared, moved or were acknowledged', async () => {
    const { engine } = await open();
    const { d, a, workflow, sent } = await smallOrchestration(engine);
    const one = await engine.checkpoints.create({ name: 'one' });
    const late = await engine.bus.publish({ type: 'COMMAND', sender: d.id, receiver: a.id });
    await engine.bus.acknowledge(sent[2]!.id);
    await engine.bus.requeue(sent[1]!.id);
    await engine.sessions.setStatus(a.id, 'idle');
    await engine.sessions.update(a.id, { state: { step: 9 } });
    const extra = await engine.sessions.create({ type: 'observer', name: 'watcher' });
    await engine.workflows.update(workflow.id, { ...workflow.definition, name: 'renamed' });
    const two = await engine.checkpoints.create({ name: 'two' });

    const diff = await engine.checkpoints.compare(one.id, two.id);
    expect(diff.sessions.added).toEqual([{ id: extra.id, name: 'watcher' }]);
    expect(diff.sessions.statusChanged).toEqual([
      { id: a.id, name: 'dept-a', from: 'active', to: 'idle' },
    ]);
    expect(diff.sessions.stateChanged.map((s) => s.id)).toEqual([a.id]);
    expect(diff.messages.appeared.map((m) => m.id)).toEqual([late.id]);
    expect(diff.messages.acknowledged.map((m) => m.id)).toEqual([sent[2]!.id]);
    expect(diff.messages.moved).toEqual([
      expect.objectContaining({
        id: sent[1]!.id,
        from: expect.objectContaining({ state: 'dead' }),
        to: expect.objectContaining({ state: 'pending' }),
      }),
    ]);
    expect(diff.workflows.changed).toEqual([{ id: workflow.id, fromRevision: 1, toRevision: 2 }]);
    const m = (id: string) => id.slice(-6);
    expect(diff.lines).toEqual([
      'Session "watcher" appeared.',
      'Session "dept-a": active → idle.',
      'Session "dept-a": its state changed.',
      `Message COMMAND …${m(late.id)} to "dept-a" appeared (pending).`,
      `Message DIRECTION …${m(sent[1]!.id)} to "dept-a": dead → pending.`,
      `Message DIRECTION …${m(sent[2]!.id)} to "dept-b" was acknowledged.`,
      'Workflow "renamed": revision 1 → 2.',
    ]);
  });

  it('exports a portable file and imports it elsewhere with the same validation', async () => {
    const source = await open();
    await smallOrchestration(source.engine);
    const cp = await source.engine.checkpoints.create({ name: 'portable', tags: ['ship'] });
    const state = dump(source.databasePath, { unacknowledgedOnly: true });
    const path = join(source.dir, 'cp.orchcp');
    const file = await source.engine.checkpoints.exportCheckpoint(cp.id, { path });

    const target = await open();
    const bad = Buffer.from(file);
    bad.writeUInt8(bad.readUInt8(bad.length >> 1) ^ 0xff, bad.length >> 1);
    expect((await refusal(target.engine.checkpoints.importCheckpoint(bad))).code).toBe(
      'INVALID_FORMAT',
    );
    expect(
      (await refusal(target.engine.checkpoints.importCheckpoint(Buffer.from('nope')))).code,
    ).toBe('INVALID_FORMAT');
    expect((await target.engine.checkpoints.stats()).count).toBe(0);

    const imported = await target.engine.checkpoints.importCheckpoint(path);
    expect(imported).toMatchObject({
      id: cp.id,
      name: 'portable',
      tags: ['ship'],
      checksum: cp.checksum,
    });
    expect((await target.engine.checkpoints.importCheckpoint(file)).id).toBe(cp.id); // idempotent
    await target.engine.checkpoints.restore(imported.id);
    expect(dump(target.databasePath, { unacknowledgedOnly: true })).toEqual(state);
  });

  it('forks a checkpoint into a new database beside the current one', async () => {
    const { engine, dir, databasePath, reopen } = await open();
    const { a, sent } = await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'fork me' });
    const state = dump(databasePath, { unacknowledgedOnly: true });
    await engine.sessions.setStatus(a.id, 'idle');
    await engine.bus.acknowledge(sent[3]!.id); // after the checkpoint: pending in the fork
    const forkPath = join(dir, 'fork', 'o.db');
    const fork = await engine.checkpoints.fork(cp.id, { databasePath: forkPath });
    expect(fork).toMatchObject({
      databasePath: forkPath,
      fromCheckpoint: cp.id,
      sessions: 3,
      messages: 4,
      history: 1,
    });
    expect(dump(forkPath, { unacknowledgedOnly: true })).toEqual(state);
    // The history: what was acknowledged by the checkpoint, as it is here.
    const acknowledged = dump(forkPath).messages.filter((m) => m.state === 'acknowledged');
    expect(acknowledged).toEqual(dump(databasePath).messages.filter((m) => m.id === sent[0]!.id));
    expect((await engine.sessions.require(a.id)).status).toBe('idle'); // the current timeline is untouched
    const other = await reopen({
      databasePath: forkPath,
      messageQueuePath: join(dir, 'fork', 'q'),
    });
    expect((await other.sessions.require(a.id)).status).toBe('active');
    expect((await other.checkpoints.stats()).head).toBe(cp.id);
    expect((await refusal(engine.checkpoints.fork(cp.id, { databasePath: forkPath }))).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('leaves no file behind when a fork fails, so it can be tried again', async () => {
    const { engine, dir } = await open();
    await smallOrchestration(engine);
    const cp = await engine.checkpoints.create({ name: 'fork me' });
    const forkPath = join(dir, 'fork.db');
    vi.spyOn(SqliteCheckpointStore.prototype, 'copyHistoryInto').mockRejectedValueOnce(
      new Error('disk full'),
    );
    await expect(engine.checkpoints.fork(cp.id, { databasePath: forkPath })).rejects.toThrow(
      'disk full',
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('fork.db'))).toEqual([]);
    expect((await engine.checkpoints.fork(cp.id, { databasePath: forkPath })).history).toBe(1);
  });
});

describe('search and retention', () => {
  it('searches by name, tag and date; deletes automatic checkpoints past retention, keeps named ones', async () => {
    let now = Date.UTC(2026, 0, 1);
    const t = await tempEngine({ now: () => now, checkpoints: { retentionDays: 30 } } as never);
    temps.push(t);
    const { engine } = t;
    await smallOrchestration(engine);
    const named = await engine.checkpoints.create({ name: 'Release candidate', tags: ['rc'] });
    const auto = await engine.checkpoints.createAutomatic('auto early');
    now += 10 * 86_400_000;
    const mid = await engine.checkpoints.create({ name: 'mid', tags: ['rc', 'mid'] });

    expect((await engine.checkpoints.search({ name: 'release' })).map((c) => c.id)).toEqual([
      named.id,
    ]);
    expect((await engine.checkpoints.search({ tag: 'rc' })).map((c) => c.id)).toEqual([
      mid.id,
      named.id,
    ]);
    expect((await engine.checkpoints.search({ from: now - 1 })).map((c) => c.id)).toEqual([mid.id]);
    expect((await engine.checkpoints.list({ automatic: true })).map((c) => c.id)).toEqual([
      auto.id,
    ]);

    now += 25 * 86_400_000; // auto is 35 days old now
    const later = await engine.checkpoints.createAutomatic('auto late');
    const ids = (await engine.checkpoints.list()).map((c) => c.id);
    expect(ids).toEqual([later.id, mid.id, named.id]);
    expect(await engine.checkpoints.get(auto.id)).toBeUndefined();
    expect(await engine.checkpoints.delete(mid.id)).toBe(true);
    expect((await engine.checkpoints.require(later.id)).parentId).toBe(named.id);
  });
});
