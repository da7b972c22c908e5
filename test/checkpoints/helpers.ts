import Database from 'better-sqlite3';
import type { Engine } from '../../src-main/engine';

export interface Dump {
  sessions: Record<string, unknown>[];
  workflows: Record<string, unknown>[];
  runs: Record<string, unknown>[];
  messages: Record<string, unknown>[];
}

/** Every row of the state tables, read through a second connection (the file as it is on disk). */
export function dump(databasePath: string, opts: { unacknowledgedOnly?: boolean } = {}): Dump {
  const db = new Database(databasePath, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
    return {
      sessions: all('SELECT * FROM sessions ORDER BY id'),
      workflows: all('SELECT * FROM workflows ORDER BY id'),
      runs: all('SELECT * FROM runs ORDER BY id'),
      messages: all(
        `SELECT * FROM messages ${opts.unacknowledgedOnly ? "WHERE state != 'acknowledged'" : ''} ORDER BY seq`,
      ),
    };
  } finally {
    db.close();
  }
}

/** Changes one byte of a stored checkpoint's payload, behind the engine's back. */
export function tamper(databasePath: string, id: string, at = 40): void {
  const db = new Database(databasePath);
  try {
    const { data } = db.prepare('SELECT data FROM checkpoints WHERE id = ?').get(id) as {
      data: Buffer;
    };
    const copy = Buffer.from(data);
    const i = at % copy.length;
    copy.writeUInt8(copy.readUInt8(i) ^ 0x01, i);
    db.prepare('UPDATE checkpoints SET data = ? WHERE id = ?').run(copy, id);
  } finally {
    db.close();
  }
}

/** A director and two departments, active, with some mail between them. */
export async function smallOrchestration(engine: Engine) {
  const d = await engine.sessions.create({ type: 'director', name: 'director' });
  const a = await engine.sessions.create({ type: 'department', name: 'dept-a' });
  const b = await engine.sessions.create({ type: 'department', name: 'dept-b' });
  for (const s of [d, a, b]) await engine.sessions.setStatus(s.id, 'active');
  await engine.sessions.update(a.id, { state: { step: 1, notes: ['first'] } });
  const workflow = await engine.workflows.create({
    name: 'pipeline',
    sessions: [
      { id: 'director', type: 'director', name: 'director', position: { x: 0, y: 0 } },
      {
        id: 'a',
        type: 'department',
        name: 'a',
        runner: { kind: 'manual' },
        position: { x: 100, y: 0 },
      },
    ],
    edges: [{ id: 'e-a', from: 'director', to: 'a' }],
  });
  const sent = [];
  for (let i = 0; i < 5; i++) {
    sent.push(
      await engine.bus.publish({
        type: 'DIRECTION',
        sender: d.id,
        receiver: i % 2 ? a.id : b.id,
        priority: (1 + (i % 4)) as 1 | 2 | 3 | 4,
        content: { task: i },
        metadata: { tags: ['work'] },
      }),
    );
  }
  await engine.bus.acknowledge(sent[0]!.id);
  await engine.bus.reject(sent[1]!.id, 'not today');
  return { d, a, b, workflow, sent };
}
