/** The examples in sdk/README.md are run as written (in a fresh directory each). */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
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

it.each([
  ['ts', 'example.ts'],
  ['js', 'example.mjs'],
])('the %s example in sdk/README.md runs', async (lang, file) => {
  const [code] = blocks(lang);
  expect(code, `a \`\`\`${lang} block in sdk/README.md`).toBeDefined();
  mkdirSync(scratch, { recursive: true });
  const path = join(scratch, file);
  writeFileSync(path, code!);
  const cwd = tempDir();
  cwds.push(cwd);
  const args = lang === 'ts' ? [join(root, 'node_modules/tsx/dist/cli.mjs'), path] : [path];
  const { stdout, stderr } = await run(process.execPath, args, { cwd });
  if (lang === 'ts') {
    expect(stdout).toContain('got COMMAND');
    expect(stderr).toContain('INVALID_INPUT sender "nobody" is not a session');
  } else {
    expect(stdout).toContain('{ ok: true }');
  }
});
