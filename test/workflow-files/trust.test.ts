import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  contentHash,
  describeWhatItRuns,
  exportWorkflow,
  FileTrustStore,
  formatWhatItRuns,
  InMemoryTrustStore,
  parseWorkflowFile,
  requireTrust,
} from '../../src-main/engine/workflows/file';
import { tempDir } from '../helpers/temp-engine';
import { refusalOf } from './helpers';
import { exampleDefinitions, sampleDefinition } from './samples';
import { rmSync } from 'node:fs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('what a workflow runs', () => {
  it('lists each session’s runner with its command, script excerpt or model and prompt', () => {
    expect(describeWhatItRuns(sampleDefinition())).toEqual([
      {
        sessionId: 'director',
        sessionName: 'Director',
        sessionType: 'director',
        kind: 'fan-out',
        executes: false,
        summary: 'sends the run input to every connected department and collects their reports',
      },
      {
        sessionId: 'lint',
        sessionName: 'Lint',
        sessionType: 'department',
        kind: 'script',
        executes: true,
        summary: 'runs JavaScript (3 lines) in a worker thread',
        excerpt: 'async function handle(message, ctx) {\n  return { ok: true };\n}',
      },
      {
        sessionId: 'build',
        sessionName: 'Build',
        sessionType: 'department',
        kind: 'shell',
        executes: true,
        summary: 'runs a program on this machine',
        excerpt: "npm run build -- '--out dir'",
        env: ['NODE_ENV'],
        workspace: '/workspace/app',
      },
      {
        sessionId: 'review',
        sessionName: 'Review',
        sessionType: 'department',
        kind: 'claude',
        executes: false,
        summary:
          'sends messages to the model claude-sonnet-4-5 (Anthropic API), up to 2048 tokens per answer',
        excerpt: 'You review pull requests.\nBe brief.',
      },
      {
        sessionId: 'watcher',
        sessionName: 'Watcher',
        sessionType: 'observer',
        kind: 'none',
        executes: false,
        summary: 'runs nothing (no runner)',
      },
    ]);
  });

  it('cuts long scripts to an excerpt that says how long the whole is', () => {
    const def = sampleDefinition();
    const source = Array.from({ length: 50 }, (_, i) => `// line ${i + 1}`).join('\n');
    def.sessions[1]!.runner = { kind: 'script', source };
    const lint = describeWhatItRuns(def)[1]!;
    expect(lint.excerpt!.split('\n')).toHaveLength(21);
    expect(lint.excerpt).toContain('… (50 lines,');
  });

  it('formats as plain text for a terminal or a dialog', () => {
    const text = formatWhatItRuns(describeWhatItRuns(sampleDefinition()));
    expect(text).toContain('• Build (department, shell): runs a program on this machine');
    expect(text).toContain("  │ npm run build -- '--out dir'");
    expect(text).toContain('  sets environment: NODE_ENV');
  });
});

describe('contentHash', () => {
  it('is the sha256 of the canonical export, stable across export → import', () => {
    const def = sampleDefinition();
    const text = exportWorkflow(def);
    const hash = createHash('sha256').update(text).digest('hex');
    expect(contentHash(def)).toBe(hash);
    expect(contentHash(parseWorkflowFile(text).workflow)).toBe(hash);
    expect(contentHash({ definition: def })).toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when what runs changes', () => {
    const def = sampleDefinition();
    const before = contentHash(def);
    const build = def.sessions[2]!;
    if (build.runner?.kind !== 'shell') throw new Error('sample changed');
    build.runner.args = ['run', 'deploy'];
    expect(contentHash(def)).not.toBe(before);
  });

  it.each(exampleDefinitions())('is stable for %s', (_name, def) => {
    expect(contentHash(def)).toBe(contentHash(parseWorkflowFile(exportWorkflow(def)).workflow));
  });
});

describe('trust', () => {
  it('refuses an untrusted workflow with what it would run, then remembers a confirmation', async () => {
    const store = new InMemoryTrustStore();
    const def = sampleDefinition();
    const error = await refusalOf(requireTrust(store, def));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details.contentHash).toBe(contentHash(def));
    expect(error.details.whatItRuns).toEqual(describeWhatItRuns(def));

    const first = await requireTrust(store, def, { trustNow: true, by: 'ann', now: () => 1000 });
    expect(first).toEqual({ hash: contentHash(def), trustedNow: true });
    expect(await requireTrust(store, def)).toEqual({ hash: contentHash(def), trustedNow: false });
    expect(await store.list()).toEqual([
      { hash: contentHash(def), trustedAt: 1000, by: 'ann', name: def.name },
    ]);

    def.sessions[1]!.runner = { kind: 'script', source: 'async function handle() { return 2; }' };
    expect((await refusalOf(requireTrust(store, def))).code).toBe('FORBIDDEN');
  });

  it('a file-backed store survives a reopen and can revoke', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'nested', 'trust.json');
    const store = new FileTrustStore(path);
    await store.trust({ hash: 'a'.repeat(64), trustedAt: 1, name: 'one' });
    await store.trust({ hash: 'b'.repeat(64), trustedAt: 2 });
    const reopened = new FileTrustStore(path);
    expect((await reopened.list()).map((r) => r.hash)).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    expect(await reopened.revoke('a'.repeat(64))).toBe(true);
    expect(await reopened.revoke('a'.repeat(64))).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8')).records).toHaveLength(1);
    expect(await new FileTrustStore(path).get('b'.repeat(64))).toMatchObject({ trustedAt: 2 });
  });
});
