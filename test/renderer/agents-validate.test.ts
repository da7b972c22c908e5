/** The messages shown at the Claude Code and repository fields, and what they accept. */
import { describe, expect, it } from 'vitest';
import {
  checkBranch,
  checkBudget,
  checkMaxTurns,
  checkPath,
  checkTools,
  checkUrl,
  toolList,
} from '../../src-renderer/src/agents/validate';
import { claudeCodeRunnerSchema, repositorySettingsSchema } from '../../src-shared/workflow';

describe('field checks', () => {
  it('max turns and budget: empty means no limit, else within the schema bounds', () => {
    for (const ok of ['', '1', '10000']) expect(checkMaxTurns(ok)).toBeNull();
    for (const bad of ['0', '2.5', '10001', 'ten'])
      expect(checkMaxTurns(bad)).toMatch(/whole number/);
    for (const ok of ['', '0.5', '$3', '100000']) expect(checkBudget(ok)).toBeNull();
    for (const bad of ['0', '-1', '100001', 'lots']) expect(checkBudget(bad)).toMatch(/US dollars/);
    // What passes the field also passes the engine's schema.
    expect(
      claudeCodeRunnerSchema.safeParse({ kind: 'claude-code', maxTurns: 10000, maxBudgetUsd: 0.5 })
        .success,
    ).toBe(true);
  });

  it('tools: one per line or comma-separated, commas inside a rule kept', () => {
    expect(toolList('Read\nBash(npm test:*, npm run lint:*), Write\n\n')).toEqual([
      'Read',
      'Bash(npm test:*, npm run lint:*)',
      'Write',
    ]);
    expect(checkTools('Read\nWrite')).toBeNull();
    expect(checkTools('x'.repeat(501))).toMatch(/longer than 500/);
    expect(checkTools(Array.from({ length: 201 }, (_, i) => `T${i}`).join('\n'))).toMatch(
      /At most 200/,
    );
  });

  it('URLs must be http(s)', () => {
    expect(checkUrl('')).toBeNull();
    expect(checkUrl('http://127.0.0.1:8080')).toBeNull();
    expect(checkUrl('ftp://x')).toMatch(/http/);
    expect(checkUrl('api.anthropic.com')).toMatch(/full URL/);
  });

  it('branches: what the field refuses, the engine schema or git refuses too', () => {
    for (const ok of ['', 'main', 'feature/x-1', 'release-2.0']) expect(checkBranch(ok)).toBeNull();
    const bad = ['-x', 'a b', 'a..b', 'a~1', 'x:y', 'topic/', 'x.lock', 'a@{1}'];
    for (const b of bad) expect(checkBranch(b), b).not.toBeNull();
    expect(repositorySettingsSchema.safeParse({ path: '/r', baseBranch: '-x' }).success).toBe(
      false,
    );
  });

  it('paths: relative allowed (a workspace root resolves it), line breaks refused', () => {
    expect(checkPath('repository path')('')).toBeNull();
    expect(checkPath('repository path')('project')).toBeNull();
    expect(checkPath('repository path')('/home/me/project')).toBeNull();
    expect(checkPath('repository path')('a\nb')).toMatch(/line breaks/);
    expect(checkPath('worktree root')('x'.repeat(4097))).toMatch(/4,096/);
  });
});
