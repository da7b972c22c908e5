/**
 * The event stream after a crash: a process killed between committing messages and writing the
 * stream batch that describes them (a turn later). The next start adds the events the history
 * lacks, once, so a replaying UI shows every committed message.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src-main/engine';
import type { StreamEvent } from '../../src-shared/stream';
import { tempDir } from '../helpers/temp-engine';
import { rmSync } from 'node:fs';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const child = fixture('publish-then-die.ts');
let dir: string | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a fixture that kills itself; resolves with what it printed. */
function runKilled(script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child was not killed: ${out}`));
      resolve(out);
    });
  });
}

async function runChild(databasePath: string): Promise<{ published: string[]; acked: string }> {
  const out = await runKilled(child, databasePath);
  return {
    published: /PUBLISHED (\S+)/.exec(out)![1]!.split(','),
    acked: /ACKED (\S+)/.exec(out)![1]!,
  };
}

const about = (events: StreamEvent[], id: string, kind: StreamEvent['kind']) =>
  events.filter(
    (e) =>
      e.kind === kind && (e.kind === 'message.published' ? e.message.id : 'id' in e && e.id) === id,
  );

it('adds, once, the message events a crash kept out of the stream', async () => {
  dir = tempDir('orch-stream-kill-');
  const databasePath = join(dir, 'o.db');
  const { published, acked } = await runChild(databasePath);

  engine = await createEngine({ databasePath });
  expect(engine.recovery.deadProcesses).toBe(1);
  const events = await engine.stream.since(0, 10_000);
  for (const id of published) {
    const [event, ...more] = about(events, id, 'message.published');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ message: { id, type: 'DIRECTION', runId: 'run-x' } });
  }
  // Published before the stream was flushed, acknowledged after: only the acknowledgement is added.
  expect(about(events, acked, 'message.published')).toHaveLength(1);
  expect(about(events, acked, 'message.acknowledged')).toHaveLength(1);
  // In the order the messages were stored.
  const order = events
    .filter((e) => e.kind === 'message.published')
    .map((e) => (e as Extract<StreamEvent, { kind: 'message.published' }>).message.id);
  expect(order.slice(-3)).toEqual(published);

  // A clean restart adds nothing more.
  const count = events.length;
  await engine.close();
  engine = await createEngine({ databasePath });
  expect(engine.recovery.deadProcesses).toBe(0);
  const again = await engine.stream.since(0, 10_000);
  expect(again.filter((e) => e.kind.startsWith('message.'))).toEqual(
    events.filter((e) => e.kind.startsWith('message.')),
  );
  expect(again.length).toBeGreaterThanOrEqual(count);
});

it.each([
  ['acknowledgement', 'ack', 'message.acknowledged', {}],
  ['dead-letter', 'reject', 'message.dead', { reason: 'desk is closed' }],
] as const)(
  'adds the %s of an older message settled just before the crash',
  async (_, settle, kind, fields) => {
    dir = tempDir('orch-stream-kill-');
    const databasePath = join(dir, 'o.db');
    const out = await runKilled(fixture('settle-old-then-die.ts'), databasePath, settle);
    const old = /OLD (\S+)/.exec(out)![1]!;

    engine = await createEngine({ databasePath });
    expect(engine.recovery.deadProcesses).toBe(1);
    const events = await engine.stream.since(0, 10_000);
    // Published a minute before the stream's last events: its publication is not written twice.
    expect(about(events, old, 'message.published')).toHaveLength(1);
    const [settled, ...more] = about(events, old, kind);
    expect(more).toEqual([]);
    expect(settled).toMatchObject(fields);
  },
);
