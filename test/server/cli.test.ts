/**
 * `orchestration serve` as a user runs it: one line with the URL, the port it picked, the token
 * it printed works, and SIGTERM shuts down cleanly (exit 0, database closed).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-engine';
import { http, rpcBody } from './helpers';

const root = join(import.meta.dirname, '..', '..');

function serve(args: string[]) {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'orchestration.mjs'), 'serve', ...args],
    {
      cwd: tempDir(),
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const line = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  line.catch(() => {}); // awaited by the tests that expect a line
  return { child, line, output: () => ({ stdout, stderr }) };
}

describe('orchestration serve', () => {
  it('prints one URL line, serves with that token, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const run = serve(['--port', '0', '--db', join(dir, 'o.db')]);
    const line = await run.line;
    const match =
      /^Orchestration Studio: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{20,})$/.exec(
        line,
      );
    expect(match, line).not.toBeNull();
    const [, port, token] = match!;
    const reply = await http(Number(port), `/api/rpc?token=${token}`, {
      method: 'POST',
      body: rpcBody('engine.info'),
    });
    expect(JSON.parse(reply.body).result.databasePath).toBe(join(dir, 'o.db'));
    run.child.kill('SIGTERM');
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(0);
    expect(run.output().stdout.trim().split('\n')).toHaveLength(1);
  });

  it('uses the given token', async () => {
    const run = serve(['--port', '0', '--db', join(tempDir(), 'o.db'), '--token', 'my-own-token']);
    expect(await run.line).toMatch(/\?token=my-own-token$/);
    run.child.kill('SIGTERM');
    expect((await once(run.child, 'exit'))[0]).toBe(0);
  });

  it('rejects bad options with usage (exit 2)', async () => {
    const run = serve(['--port', 'eighty']);
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(2);
    expect(run.output().stderr).toContain('--port');
  });
});
