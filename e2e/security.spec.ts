/**
 * Roles in the app, against a server of this spec's own (a fresh database with a stored
 * observer token): an observer sees Run greyed out with the reason; an admin opens the audit
 * log and finds the actions just taken — its own change and the observer's refused call; a
 * client over its rate limit sees when to retry.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer, stopServer } from './support/server';
import { leadAndDesk } from './support/workflows';

const ROOT = join(import.meta.dirname, '..');
let dir: string;
let server: ChildProcess;
let adminUrl: string;
let observerUrl: string;
let observerToken: string;

/** POST /api/rpc as the given token; the JSON answer. */
async function rpc(token: string, method: string, params?: unknown) {
  const res = await fetch(new URL('/api/rpc', adminUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method, params }),
  });
  return (await res.json()) as { result?: unknown; error?: { code: string } };
}

/** A stored token of `role` in the database at `db` (made with the CLI before the server opens it). */
function createToken(db: string, role: string): string {
  const created = execFileSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'orchestration.mjs'),
      'token',
      'create',
      '--role',
      role,
      '--label',
      `e2e ${role}`,
      '--db',
      db,
      '--json',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return (JSON.parse(created) as { token: string }).token;
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orchestration-e2e-security-'));
  const db = join(dir, 'security.db');
  observerToken = createToken(db, 'observer');
  const started = startServer(db);
  server = started.child;
  adminUrl = await started.url;
  observerUrl = `${new URL(adminUrl).origin}/?token=${encodeURIComponent(observerToken)}`;
  // Something to run: a workflow the admin made.
  const admin = new URL(adminUrl).searchParams.get('token')!;
  const made = await rpc(admin, 'workflows.create', { definition: leadAndDesk('Security check') });
  expect(made.error).toBeUndefined();
});

test.afterAll(async () => {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
});

test('an observer sees Run greyed out, with the reason', async ({ page }) => {
  await page.goto(observerUrl);
  await expect(page.getByRole('status', { name: 'Signed in as observer' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Workflow' }).selectOption({ label: 'Security check' });
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeDisabled();
  await expect(run).toHaveAttribute(
    'title',
    /Your role \(observer\) cannot do this: it needs the run:start permission/,
  );
  await expect(page.getByRole('button', { name: 'New workflow' })).toBeDisabled();
  const audit = page.getByRole('button', { name: 'Audit log' });
  await expect(audit).toBeDisabled();
  await expect(audit).toHaveAttribute('title', /needs the audit:read permission/);
  // The server refuses anyway (not just hidden in the UI); that refusal is audited.
  expect((await rpc(observerToken, 'runs.list', {})).error).toBeUndefined();
  expect(
    (await rpc(observerToken, 'sessions.create', { type: 'director', name: 'sneaky' })).error,
  ).toMatchObject({
    code: 'FORBIDDEN',
  });
});

test('an admin opens the audit log and sees the actions just taken', async ({ page }) => {
  await page.goto(adminUrl);
  await expect(page.getByRole('status', { name: 'Signed in as admin' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Workflow' }).selectOption({ label: 'Security check' });
  await page.getByRole('button', { name: 'Create checkpoint' }).click();
  const create = page.getByRole('dialog', { name: 'Create checkpoint' });
  await create.getByLabel('Checkpoint name').fill('audited checkpoint');
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(create).toBeHidden();
  // The dialog closes at once; the call is done when the app says so.
  // News of something done is a status, not an alert.
  await expect(
    page.getByRole('status').filter({ hasText: 'Checkpoint "audited checkpoint" created.' }),
  ).toBeVisible();

  await page.getByRole('button', { name: 'Audit log' }).click();
  const log = page.getByRole('dialog', { name: 'Audit log' });
  const rows = log.getByRole('table', { name: 'Audit log entries' }).getByRole('row');
  await expect(rows.filter({ hasText: 'checkpoints.create' }).first()).toContainText('websocket');
  await expect(rows.filter({ hasText: 'checkpoints.create' }).first()).toContainText('ok');

  await log.getByLabel('Outcome').selectOption('FORBIDDEN');
  const refused = rows.filter({ hasText: 'sessions.create' }).first();
  await expect(refused).toContainText('observer');
  await expect(refused).toContainText('http');
  await expect(rows.filter({ hasText: 'checkpoints.create' })).toHaveCount(0);

  await log.getByLabel('Method').fill('no.such.method');
  await expect(log.getByText('No audit entries match these filters.')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(log).toBeHidden();
});

test('a call over the rate limit shows a notice with when to retry', async ({ page }) => {
  // A server of its own whose database bucket allows 3 calls a minute: the app's first reads
  // use them up.
  const db = join(dir, 'limited.db');
  const token = createToken(db, 'observer');
  const limited = startServer(db, { E2E_RATE_LIMITS: JSON.stringify({ database: 3 }) });
  try {
    await page.goto(`${new URL(await limited.url).origin}/?token=${encodeURIComponent(token)}`);
    const notice = page.getByRole('alert', { name: 'Rate limit reached' });
    await expect(notice).toContainText(/Rate limit reached \([a-z]+\.[a-zA-Z]+\)/);
    await expect(notice).toContainText(/Retry in \d+ s\./);
    await notice.getByRole('button', { name: 'Dismiss rate limit notice' }).click();
    await expect(notice).toBeHidden();
  } finally {
    await stopServer(limited.child);
  }
});
