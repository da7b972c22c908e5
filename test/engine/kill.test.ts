/**
 * The durability contract under SIGKILL: a child publishes and consumes under load and is
 * killed at a random moment, several times. After each restart every message whose publish
 * resolved exists, every unacknowledged one is delivered again, and no acknowledged one is.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import { tempDir } from '../helpers/temp-engine';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';

const child = join(import.meta.dirname, '..', 'fixtures', 'bus-load-child.mjs');
const dir = tempDir('orch-kill-');
const databasePath = join(dir, 'o.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Life {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

function live(mode: 'load' | 'drain', start: number, killAfterMs?: number): Promise<Life> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, databasePath, mode, String(start)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    const lines: string[] = [];
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === 'READY' && killAfterMs !== undefined)
          setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      }
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ lines, code, signal }));
  });
}

it('loses no committed message and redelivers exactly the unacknowledged ones across SIGKILLs', async () => {
  const published = new Set<string>();
  const acked = new Set<string>();
  const violations: string[] = [];
  let next = 0;
  const account = (life: Life) => {
    for (const line of life.lines) {
      const [kind, id] = line.split(' ') as [string, string];
      if (kind === 'P') published.add(id);
      if (kind === 'A') acked.add(id);
      if (kind === 'D' && acked.has(id))
        violations.push(`${id} delivered again after its acknowledgement`);
    }
  };
  // Unacknowledged at the moment of a kill → must be delivered again by a later life.
  const owed = new Set<string>();
  const deliveredLater = new Set<string>();
  const kills = 6;
  for (let i = 0; i <= kills; i++) {
    const delay = 150 + Math.floor(Math.random() * 600);
    const life = i < kills ? await live('load', next, delay) : await live('drain', next);
    for (const line of life.lines) if (line.startsWith('D ')) deliveredLater.add(line.slice(2));
    for (const id of owed) if (deliveredLater.has(id)) owed.delete(id);
    account(life);
    if (i === kills) {
      expect(life.code).toBe(0);
      expect(life.lines.at(-1)).toBe('DONE');
      break;
    }
    expect(life.signal, `life ${i} should have been killed (after ${delay} ms)`).toBe('SIGKILL');
    const db = new Database(databasePath, { readonly: true });
    const unacked = db
      .prepare(`SELECT id FROM messages WHERE state != 'acknowledged'`)
      .pluck()
      .all() as string[];
    db.close();
    deliveredLater.clear();
    for (const id of unacked) owed.add(id);
    next += 1_000_000;
  }
  expect(violations).toEqual([]);
  expect([...owed], 'unacknowledged at a kill but never delivered again').toEqual([]);
  expect(published.size).toBeGreaterThan(500);

  const engine = await createEngine({ databasePath });
  try {
    for (const id of published) {
      const m = await engine.bus.get(id);
      expect(m, `published ${id} must exist`).toBeDefined();
      expect(m!.state, `${id} must end acknowledged`).toBe('acknowledged');
    }
    const stats = await engine.bus.stats();
    expect(stats.queueSize).toBe(0);
    expect(stats.failed).toBe(0);
  } finally {
    await engine.close();
  }
  console.log(
    `kill test: ${kills} kills, ${published.size} publishes confirmed, ${acked.size} acks seen, ` +
      `every message unacknowledged at a kill delivered again`,
  );
}, 60_000);
