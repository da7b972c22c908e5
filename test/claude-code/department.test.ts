import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicLoopback } from '../helpers/anthropic-loopback';
import { script } from '../helpers/anthropic-loopback';
import { type TempEngine } from '../helpers/temp-engine';
import {
  closeTestbed,
  department,
  git,
  makeRepo,
  marker,
  openTestbed,
  readFile,
  workflow,
  writeFile,
} from './harness';

describe('claude-code departments in worktrees (real binary, real git)', () => {
  let t: TempEngine;
  let lb: AnthropicLoopback;
  beforeEach(async () => ({ t, lb } = await openTestbed()));
  afterEach(() => closeTestbed(t, lb));

  it('writes a file on its own branch; the merge brings it to base', async () => {
    const repo = makeRepo();
    lb.enqueueFor(
      marker('alpha'),
      writeFile('hello.txt', 'hello\n'),
      script.text(['Wrote hello.txt']),
    );
    const wf = await t.engine.workflows.create(
      workflow([department('alpha', { baseURL: lb.url })], { repository: repo }),
    );
    const run = await t.engine.runs.start(wf.id, 'Write hello.txt');
    const done = await t.engine.runs.wait(run.id, 60_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    const result = (done.result as Record<string, Record<string, unknown>>).alpha!;
    expect(result.summary).toBe('Wrote hello.txt');
    expect(result.filesTouched).toEqual([expect.stringMatching(/hello\.txt$/)]);
    expect(result.diffStat).toMatchObject({ files: 1, insertions: 1 });
    expect(typeof result.costUsd).toBe('number');

    const sid = done.sessions.alpha!;
    const ws = t.engine.workspaces.get(run.id, sid)!;
    expect(readFileSync(join(ws.path, 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(ws.branch).toBe(result.branch);
    expect(git(repo, 'show', `${ws.branch}:hello.txt`)).toBe('hello');
    expect(existsSync(join(repo, 'hello.txt'))).toBe(false);
    expect(() => git(repo, 'show', 'main:hello.txt')).toThrow();

    const merged = await t.engine.workspaces.merge(run.id, sid);
    expect(merged.merged).toBe(true);
    expect(git(repo, 'show', 'main:hello.txt')).toBe('hello');
    // The agent's session id is stored for a resume.
    const state = (await t.engine.sessions.get(sid))!.state as {
      claudeCode?: { agentSessionId?: string };
    };
    expect(state.claudeCode?.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
  }, 90_000);

  it('two departments change the same line: the second merge names the file, base untouched', async () => {
    const repo = makeRepo();
    for (const name of ['alpha', 'beta']) {
      lb.enqueueFor(
        marker(name),
        readFile('file.txt'),
        writeFile('file.txt', `${name} line\n`),
        script.text([`${name} done`]),
      );
    }
    const wf = await t.engine.workflows.create(
      workflow(
        [department('alpha', { baseURL: lb.url }), department('beta', { baseURL: lb.url }, 600)],
        { repository: repo },
      ),
    );
    const run = await t.engine.runs.start(wf.id, 'Change the line');
    const done = await t.engine.runs.wait(run.id, 60_000);
    expect(done.error).toBeNull();
    const results = done.result as Record<string, { diffStat: { files: number } }>;
    expect(results.alpha!.diffStat.files).toBe(1);
    expect(results.beta!.diffStat.files).toBe(1);
    const first = await t.engine.workspaces.merge(run.id, done.sessions.alpha!);
    expect(first.merged).toBe(true);
    const base = git(repo, 'rev-parse', 'main');
    const second = await t.engine.workspaces.merge(run.id, done.sessions.beta!);
    expect(second.merged).toBe(false);
    expect(second.conflicts).toEqual(['file.txt']);
    expect(git(repo, 'rev-parse', 'main')).toBe(base);
    expect(git(repo, 'show', 'main:file.txt')).toBe('alpha line');
  }, 90_000);
});
