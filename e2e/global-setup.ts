/**
 * Builds the renderer if `out/renderer` is missing, then starts the real headless server (its
 * own process, a fresh temporary database) and hands its printed URL to the specs through
 * E2E_URL. Returns the teardown.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const LINE = /Orchestration Studio: (http\S+)/;
const RENDERER_SOURCES = ['src-renderer', 'src-shared', 'resources'].map((d) => join(ROOT, d));

/** The newest modification time under these paths. */
function newest(paths: string[]): number {
  let max = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    max = Math.max(max, stat.mtimeMs);
    if (stat.isDirectory()) {
      max = Math.max(max, newest(readdirSync(path).map((name) => join(path, name))));
    }
  }
  return max;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const built = join(ROOT, 'out', 'renderer', 'index.html');
  if (!existsSync(built) || statSync(built).mtimeMs < newest(RENDERER_SOURCES)) {
    console.log(
      'e2e: out/renderer is missing or older than the sources; building with electron-vite…',
    );
    execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'orchestration-e2e-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'e2e', 'support', 'serve.ts'), join(dir, 'e2e.db')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = LINE.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  child.stdout.on('data', () => undefined);
  console.log(`e2e: Orchestration Studio: ${url}`);
  process.env.E2E_URL = url;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r).once('error', r));
    rmSync(dir, { recursive: true, force: true });
  };
}
