/**
 * Crash recovery: a process running a busy workflow (automatic checkpoints every 50 ms) is
 * SIGKILLed. The next start marks the run interrupted (resumable), leaves every session in a state the state
 * machine allows, holds no stale lease, and every checkpoint written before the kill is intact
 * and restorable.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SESSION_TRANSITIONS } from '../../src-shared/domain';
import { createEngine, type Engine } from '../../src-main/engine';
import { tempDir } from '../helpers/temp-engine';
import { rmSync } from 'node:fs';
import { dump } from './helpers';

const child = join(import.meta.dirname, 'fixtures', 'run-child.ts');

let dir: string | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runUntilKilled(databasePath: string, extraMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, databasePath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const guard = setTimeout(() => proc.kill('SIGKILL'), 60_000); // never leave a child behind
    proc.on('close', () => clearTimeout(guard));
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('READY\n')) setTimeout(() => proc.kill('SIGKILL'), extraMs);
    });
    proc.on('error', reject);
    proc.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended without being killed: ${out}`));
      else resolve(/RUN (\S+)/.exec(out)![1]!);
    });
  });
}

it('after SIGKILL mid-run: the run is marked, sessions are legal, checkpoints are intact', async () => {
  dir = tempDir('orch-cp-kill-');
  const databasePath = join(dir, 'o.db');
  const runId = await runUntilKilled(databasePath, Math.floor(Math.random() * 40));

  engine = await createEngine({ databasePath, bus: { pollIntervalMs: 20 } });
  expect(engine.recovery).toMatchObject({ deadProcesses: 1, interruptedRuns: 1 });
  const run = await engine.runs.require(runId);
  expect(run.status).toBe('interrupted');
  expect(run.error).toMatch(/Interrupted/);
  for (const s of await engine.sessions.list()) {
    expect(Object.keys(SESSION_TRANSITIONS)).toContain(s.status);
    expect(s.status).not.toBe('active'); // nobody works for the interrupted run until it resumes
  }
  expect(dump(databasePath).messages.filter((m) => m.state === 'leased')).toEqual([]);

  const checkpoints = await engine.checkpoints.list();
  expect(checkpoints.length).toBeGreaterThanOrEqual(3);
  for (const cp of checkpoints)
    expect(await engine.checkpoints.validate(cp.id)).toMatchObject({ valid: true });
  // The newest one restores (the run it caught is again reported interrupted).
  const result = await engine.checkpoints.restore(checkpoints[0]!.id);
  expect(result.success).toBe(true);
  const caught = result.conflicts.filter((c) => c.kind === 'run-interrupted');
  for (const c of caught) expect((await engine.runs.require(c.id!)).status).toBe('interrupted');
});
