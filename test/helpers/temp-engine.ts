import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../src-main/engine';

export interface TempEngine {
  engine: Engine;
  dir: string;
  databasePath: string;
  reopen(options?: Partial<EngineOptions>): Promise<Engine>;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'orch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real engine on a real SQLite file in a fresh temporary directory. */
export async function tempEngine(options: Partial<EngineOptions> = {}): Promise<TempEngine> {
  const dir = tempDir();
  const databasePath = join(dir, 'orchestration.db');
  const opened: Engine[] = [];
  const open = async (more: Partial<EngineOptions> = {}) => {
    const engine = await createEngine({
      databasePath,
      ...options,
      ...more,
      bus: { ...options.bus, ...more.bus },
    });
    opened.push(engine);
    return engine;
  };
  const engine = await open();
  return {
    engine,
    dir,
    databasePath,
    reopen: open,
    async cleanup() {
      for (const e of opened) await e.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
