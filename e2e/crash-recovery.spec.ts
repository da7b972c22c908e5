/**
 * Crash recovery as the person sees it: the server is SIGKILLed while a run waits on a manual
 * department; the next start on the same database says what it recovered, and the run history
 * offers Resume, which carries the run on to the same question.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { rpc, startServer, stopServer } from './support/server';
import { leadAndDesk } from './support/workflows';

const ARTIFACTS = join(import.meta.dirname, 'artifacts');
let dir: string;
let server: ChildProcess | undefined;

test.afterEach(async () => {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
});

test('after the server is killed mid-run, the app says what it recovered and the run resumes', async ({
  page,
}) => {
  dir = mkdtempSync(join(tmpdir(), 'orchestration-e2e-crash-'));
  const db = join(dir, 'crash.db');
  const first = startServer(db);
  server = first.child;
  const url = await first.url;
  const workflow = (await rpc(url, 'workflows.create', {
    definition: leadAndDesk('Crash check'),
  })) as { id: string };
  const run = (await rpc(url, 'runs.start', { workflowId: workflow.id, input: { task: 'x' } })) as {
    id: string;
  };
  // events.since writes what is queued first: once it lists the wait, the history is on disk.
  await expect
    .poll(async () => {
      const page = (await rpc(url, 'events.since', { seq: 0, limit: 1000 })) as {
        events: { kind: string; text?: string }[];
      };
      return page.events.some(
        (e) => e.kind === 'runner.log' && /Waiting for a person/.test(e.text ?? ''),
      );
    })
    .toBe(true);

  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const second = startServer(db);
  server = second.child;

  await page.goto(await second.url);
  const banner = page.getByRole('status', { name: 'Recovered after an unexpected stop' });
  await expect(banner).toContainText('1 run was interrupted');
  await expect(banner).toContainText('Nothing acknowledged was lost');
  // Picked while the app is still opening it (the only workflow): the history still replays whole.
  await page.getByRole('combobox', { name: 'Workflow' }).selectOption({ label: 'Crash check' });
  await expect(page.getByRole('tab', { name: /Message log/ })).toContainText('1');
  await expect(page.getByRole('row', { name: /DIRECTION\s+Lead\s+Desk/ })).toHaveCount(1);
  await page.screenshot({ path: `${ARTIFACTS}/22-recovered.png` });

  await banner.getByRole('button', { name: 'Open Run history' }).click();
  await expect(page.getByRole('tab', { name: /Run history/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.screenshot({ path: `${ARTIFACTS}/23-run-history-resume.png` });
  await page.getByRole('button', { name: `Resume run ${run.id.slice(-8)}` }).click();
  await expect(page.getByRole('status', { name: 'Run running' })).toBeVisible();
  // The manual department is asked again: the run carries on where it stopped.
  await expect
    .poll(
      async () =>
        ((await rpc(await second.url, 'runs.waiting', { runId: run.id })) as unknown[]).length,
    )
    .toBe(1);
  await banner.getByRole('button', { name: 'Dismiss recovery notice' }).click();
  await expect(banner).toHaveCount(0);
});
