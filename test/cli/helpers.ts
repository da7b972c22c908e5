/**
 * Runs the real `orchestration` CLI as a child process. By default the CLI is bundled once per
 * test file with esbuild (cli + worker entries, packages external — what `npm run build` ships as
 * out/main/cli.js and worker.js), because loading the engine's dependencies through tsx costs ~3 s
 * of CPU per process; `via: 'bin'` runs bin/orchestration.mjs (the TypeScript source through tsx).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'orchestration.mjs');

let bundled: string | undefined;
let bundleDir: string | undefined;

// Registered on the suite of whichever test file imports these helpers.
afterAll(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundled = bundleDir = undefined;
});

/** Inside the repo so the bundle's bare imports (better-sqlite3, zod…) resolve to node_modules. */
function bundle(): string {
  if (bundled) return bundled;
  const base = join(ROOT, 'node_modules', '.cache', 'orchestration-cli-test');
  mkdirSync(base, { recursive: true });
  const outdir = mkdtempSync(join(base, `${process.pid}-`));
  bundleDir = outdir;
  buildSync({
    entryPoints: {
      cli: join(ROOT, 'src-main', 'cli.ts'),
      worker: join(ROOT, 'src-main', 'engine', 'pool', 'worker.mjs'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    logLevel: 'error',
  });
  bundled = join(outdir, 'cli.js');
  return bundled;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `orchestration ...args` (in the repo root by default); never rejects, resolves the exit code. */
export function cli(
  args: string[],
  options: { cwd?: string; via?: 'bundle' | 'bin'; input?: string } = {},
): Promise<CliResult> {
  const entry = options.via === 'bin' ? BIN : bundle();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [entry, ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** A temp directory removed by the returned cleanup. */
export function scratchDir(): { dir: string; path: (name: string) => string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'orch-cli-'));
  return {
    dir,
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `main(argv)` in this process with stdout/stderr captured: for the cheap usage checks. */
export async function inProcess(args: string[]): Promise<CliResult> {
  const { main } = await import('../../src-main/cli/index');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code: code === 'running' ? -1 : code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
