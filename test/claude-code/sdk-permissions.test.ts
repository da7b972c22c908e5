/**
 * The SDK's permissions namespace, in both modes: a claude-code department asks to use Write,
 * the client lists the waiting request and allows it; the file is written and the run ends.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { OrchestrationClient } from '../../sdk/src';
import { startServer, type RunningServer } from '../../src-main/server';
import type { AnthropicLoopback } from '../helpers/anthropic-loopback';
import { script } from '../helpers/anthropic-loopback';
import { tempDir, waitFor } from '../helpers/temp-engine';
import { department, loopback, makeRepo, marker, workflow, writeFile } from './harness';

const TOKEN = 'sdk-permissions-token-1';
let lb: AnthropicLoopback | undefined;
let client: OrchestrationClient | undefined;
let server: RunningServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  await lb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  client = server = lb = dir = undefined;
});

for (const mode of ['embedded', 'remote'] as const) {
  it(`${mode}: lists a waiting tool permission and allows it`, async () => {
    dir = tempDir();
    lb = await loopback();
    const databasePath = join(dir, 'orchestration.db');
    if (mode === 'remote') {
      server = await startServer({ port: 0, databasePath, token: TOKEN });
      client = new OrchestrationClient({ url: server.url });
    } else client = new OrchestrationClient({ databasePath });
    const c = client;

    lb.enqueueFor(marker('alpha'), writeFile('asked.txt', 'x\n'), script.text(['written']));
    const wf = await c.workflows.create(
      workflow([department('alpha', { baseURL: lb.url, allowedTools: [] })], {
        repository: makeRepo(),
      }),
    );
    const run = await c.runs.start(wf.id, 'Write asked.txt');
    let waiting: Awaited<ReturnType<typeof c.permissions.list>> = [];
    await waitFor(
      async () => (waiting = await c.permissions.list(run.id)).length > 0,
      'a permission request',
      30_000,
    );
    expect(waiting[0]).toMatchObject({ kind: 'tool', toolName: 'Write', runId: run.id });
    expect(await c.permissions.list('another-run')).toEqual([]);

    await c.permissions.answer(waiting[0]!.requestId, { decision: 'allow' });
    const done = await c.runs.wait(run.id, 60_000);
    expect(done.status).toBe('completed');
    expect(await c.permissions.list()).toEqual([]);
    // The allowed Write ran: the department committed asked.txt on its branch.
    const alpha = (done.result as Record<string, { commit: string | null; filesTouched: string[] }>)
      .alpha!;
    expect(alpha.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(alpha.filesTouched.some((f) => f.endsWith('asked.txt'))).toBe(true);
    // Answered once: a second answer finds nothing waiting.
    await expect(
      c.permissions.answer(waiting[0]!.requestId, { decision: 'deny' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  }, 120_000);
}
