/**
 * Every example in docs/*.md runs as written, and prints what the page says it prints.
 *
 * Conventions (docs/README.md tells writers the same):
 * - ```ts and ```js blocks are whole programs. They run from a fresh temporary directory (so
 *   `./orchestration.db` lands there): ts through tsx, js through node. The SDK is imported as
 *   `@claudesclaude/orchestration-sdk`; engine internals as `./src-main/…` (or `./src-shared/…`,
 *   `./src-renderer/…`), a path from the
 *   repository root (the program is written inside the repository, so both resolve as in a
 *   checkout).
 * - ```sh blocks run in bash (`set -e`) with `orchestration` on PATH (bin/orchestration.mjs)
 *   and `npx orchestration` resolving to it. The sh blocks of one page share one directory
 *   inside the repository and run in page order, like a terminal session (a later one may use
 *   a file an earlier one wrote).
 * - `no-run` in the info string (```ts no-run) marks a fragment or a signature; `exit=N`
 *   expects a non-zero exit code.
 * - A ```text output block right after an example is what it prints (stdout, then stderr):
 *   each line must appear, in order; `…` stands for any text (ids, times, sizes).
 * Pages are read when the test runs, so a new page's examples are covered without a change here.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { examples, missingLine, type Example } from './blocks';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const scratch = join(root, 'test', '.tmp', 'docs');
const bin = join(scratch, 'bin');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const pages = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((file) => ({ file, examples: examples(readFileSync(join(root, 'docs', file), 'utf8')) }));

let counter = 0;
function freshDir(): string {
  const dir = join(scratch, `run-${process.pid}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `orchestration` on PATH, as after installing the package. */
function shim(): string {
  mkdirSync(bin, { recursive: true });
  const path = join(bin, 'orchestration');
  writeFileSync(
    path,
    `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', 'orchestration.mjs')}" "$@"\n`,
  );
  chmodSync(path, 0o755);
  return bin;
}

/** One directory per page for its sh blocks (a terminal session). */
const shellDirs = new Map<string, string>();

async function execute(page: string, example: Example) {
  let cwd = freshDir();
  if (example.lang === 'sh') {
    if (!shellDirs.has(page)) shellDirs.set(page, cwd);
    cwd = shellDirs.get(page)!;
  }
  const env = { ...process.env, PATH: `${shim()}:${process.env.PATH}`, NO_COLOR: '1' };
  let file: string;
  let args: string[];
  if (example.lang === 'sh') {
    file = '/bin/bash';
    args = ['-e', '-c', example.code];
  } else {
    const name = `${page.replace(/\.md$/, '')}-${example.line}.${example.lang === 'ts' ? 'ts' : 'mjs'}`;
    const path = join(scratch, name);
    // `./src-main/…` in a doc means "from the repository root"; the program lives in scratch.
    const fromRoot = relative(scratch, root);
    writeFileSync(
      path,
      example.code.replace(/(['"])\.\/(src-main|src-shared|src-renderer)\//g, `$1${fromRoot}/$2/`),
    );
    file = process.execPath;
    args = example.lang === 'ts' ? [join(root, 'node_modules/tsx/dist/cli.mjs'), path] : [path];
  }
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.each(pages.filter((p) => p.examples.length > 0))('docs/$file', ({ file, examples }) => {
  it.each(examples.map((e) => [`line ${e.line} (${e.lang})`, e] as const))(
    'the example at %s runs',
    async (_name, example) => {
      const result = await execute(file, example);
      const printed = `${result.stdout}\n${result.stderr}`;
      expect(result.code, `exit code of docs/${file}:${example.line}\n${printed}`).toBe(
        example.exitCode,
      );
      if (example.output !== undefined) {
        const missing = missingLine(example.output, printed);
        expect(
          missing,
          `docs/${file}:${example.line} did not print this line; it printed:\n${printed}`,
        ).toBeUndefined();
      }
    },
    120_000,
  );
});

describe('the conventions themselves', () => {
  it('every runnable example of the docs is found, and most of them check their output', () => {
    const all = pages.flatMap((p) => p.examples);
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.filter((e) => e.output !== undefined).length).toBeGreaterThanOrEqual(all.length / 2);
  });

  it('output lines match in order, with … for any text', () => {
    const printed = 'id 7f3a\nrole admin\ndone in 12 ms\n';
    expect(missingLine('id …\ndone in … ms', printed)).toBeUndefined();
    expect(missingLine('done in … ms\nid …', printed)).toBe('id …');
    expect(missingLine('role observer', printed)).toBe('role observer');
  });
});
