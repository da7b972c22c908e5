/**
 * A spec's own headless server (its own process and database, as in e2e/support/serve.ts), for
 * specs that need a fresh engine, special settings, or to kill and restart one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface SpecServer {
  child: ChildProcess;
  /** The printed URL (with the startup token). */
  url: Promise<string>;
}

export function startServer(db: string, env: Record<string, string> = {}): SpecServer {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'e2e', 'support', 'serve.ts'), db],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Orchestration Studio: (http\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, url };
}

/** Stops the server as a person would (SIGTERM: it closes its engine) and waits for it. */
export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** POST /api/rpc on the server at `url` with its token; the result, or throws the error. */
export async function rpc(url: string, method: string, params?: unknown): Promise<unknown> {
  const token = new URL(url).searchParams.get('token')!;
  const res = await fetch(new URL('/api/rpc', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method, params }),
  });
  const answer = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (answer.error) throw new Error(answer.error.message);
  return answer.result;
}
