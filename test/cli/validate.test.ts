/** `orchestration validate`: the BAD_FILES table through the real CLI, batched in few processes. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_FILES, validText } from '../workflow-files/bad-files';
import { ROOT, cli, scratchDir } from './helpers';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

const files = BAD_FILES.map((bad, i) => {
  const path = scratch.path(`bad-${String(i).padStart(2, '0')}.orchestration.json`);
  writeFileSync(path, bad.build());
  return { ...bad, file: path };
});
const valid = scratch.path('valid.orchestration.json');
writeFileSync(valid, validText());

/** The lines of one file's block in the several-files text output. */
function block(stderr: string, file: string): string[] {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${file}: `));
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !l.startsWith('  '));
  return [lines[start]!, ...rest.slice(0, end < 0 ? rest.length : end)];
}

describe('orchestration validate', () => {
  it('a valid file: "valid", exit 0', async () => {
    const r = await cli(['validate', valid]);
    expect(r).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it(`every one of the ${BAD_FILES.length} bad files: exit 1, its code and path printed`, async () => {
    expect(BAD_FILES.length).toBeGreaterThanOrEqual(25);
    const r = await cli(['validate', valid, ...files.map((f) => f.file)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${valid}: valid\n`);
    for (const bad of files) {
      const lines = block(r.stderr, bad.file);
      expect(lines[0], bad.name).toContain(`${bad.file}: ${bad.code}: `);
      const paths = lines.slice(1).map((l) => l.trim().split(': ')[0]);
      expect(paths, bad.name).toContain(bad.path || '/');
    }
  });

  it('one bad file: CODE: message, then one "path: message" line per problem (as docs/cli.md shows)', async () => {
    const doc = JSON.parse(validText()) as { edges: { to: string }[] };
    doc.edges[0]!.to = 'ghost';
    const file = scratch.path('ghost.orchestration.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const r = await cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // The output the page shows for its `orchestration validate` example.
    const shown = /orchestration validate broken[^\n]*\n```\n\n```text output\n([\s\S]*?)```/.exec(
      readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8'),
    )!;
    expect(r.stderr).toBe(shown[1]);
  });

  it('--json output parses: one report per file, problems with paths', async () => {
    const chosen = files.filter((_, i) => i % 5 === 0);
    const r = await cli(['validate', '--json', valid, ...chosen.map((f) => f.file)]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as {
      file: string;
      ok: boolean;
      code?: string;
      problems?: { path: string }[];
    }[];
    expect(reports[0]).toMatchObject({ file: valid, ok: true });
    chosen.forEach((bad, i) => {
      const report = reports[i + 1]!;
      expect(report).toMatchObject({ file: bad.file, ok: false, code: bad.code });
      expect(report.problems!.map((p) => p.path)).toContain(bad.path);
    });
  });

  it('a missing file: INVALID_INPUT, exit 1', async () => {
    const r = await cli(['validate', scratch.path('nope.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^INVALID_INPUT: Cannot read .*nope\.json: no such file/);
  });
});
