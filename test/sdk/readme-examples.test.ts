/**
 * The examples in sdk/README.md are run as written (in a fresh directory each): the first ```ts
 * and ```js blocks in embedded mode, the second ones in remote mode against a real server
 * (startServer on 127.0.0.1) whose URL they read from ORCHESTRATION_URL.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { startServer } from '../../src-main/server';
import { tempDir } from '../helpers/temp-engine';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
// Inside the repository, so the package name resolves to the workspace as it does for users.
const scratch = join(root, 'test', '.tmp', 'readme');
const cwds: string[] = [];
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  cwds.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function blocks(lang: string): string[] {
  const text = readFileSync(join(root, 'sdk', 'README.md'), 'utf8');
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

async function runBlock(lang: string, index: number, env: Record<string, string> = {}) {
  const code = blocks(lang)[index];
  expect(code, `\`\`\`${lang} block #${index + 1} in sdk/README.md`).toBeDefined();
  mkdirSync(scratch, { recursive: true });
  const path = join(scratch, `example-${index}.${lang === 'ts' ? 'ts' : 'mjs'}`);
  writeFileSync(path, code!);
  const cwd = tempDir();
  cwds.push(cwd);
  const args = lang === 'ts' ? [join(root, 'node_modules/tsx/dist/cli.mjs'), path] : [path];
  return run(process.execPath, args, { cwd, env: { ...process.env, ...env } });
}

it.each([['ts'], ['js']])('the embedded %s example in sdk/README.md runs', async (lang) => {
  const { stdout, stderr } = await runBlock(lang, 0);
  if (lang === 'ts') {
    expect(stdout).toContain('got COMMAND');
    expect(stderr).toContain('INVALID_INPUT sender "nobody" is not a session');
  } else {
    expect(stdout).toContain('{ ok: true }');
  }
});

it.each([['ts'], ['js']])('the remote %s example in sdk/README.md runs', async (lang) => {
  const dir = tempDir();
  cwds.push(dir);
  const server = await startServer({ port: 0, databasePath: join(dir, 'orchestration.db') });
  try {
    const { stdout, stderr } = await runBlock(lang, 1, { ORCHESTRATION_URL: server.url });
    if (lang === 'ts') {
      expect(stdout).toContain('engine 1.0.0 role admin');
      expect(stdout).toContain('result {"Greeter":{"greeting":"hello world"}}');
      expect(stdout).toContain('run is running\n');
      expect(stdout.indexOf('run is running')).toBeLessThan(stdout.indexOf('run is completed'));
      expect(stderr).toContain('INVALID_INPUT sender "nobody" is not a session');
    } else {
      expect(stdout).toContain("observed { task: 'build' }");
      expect(stdout).toContain('still waiting 0');
    }
    // The work happened in the server's engine.
    expect((await server.engine.sessions.list()).length).toBeGreaterThan(0);
  } finally {
    await server.close();
  }
});
