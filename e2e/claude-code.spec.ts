/**
 * Claude Code departments in the app, end to end with real parts: the real Claude Code binary
 * (the Agent SDK's) talking to a loopback Messages API that scripts its turns, a real git
 * repository, and the real server in its own process. A department asks to run a command and
 * waits: the node says it needs you, the header counts it, a desktop notification is raised, and
 * the inspector denies it with a message; it then asks to write a file and is allowed. The diff
 * viewer shows each department's change; one merges, the other conflicts on the same line (the
 * file named, base untouched) and is discarded after confirmation.
 */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ARTIFACTS, node, trackProblems } from './support/canvas';
import { rpc as rpcAt, startServer, stopServer } from './support/server';
import {
  script,
  startAnthropicLoopback,
  type AnthropicLoopback,
  type ScriptedResponse,
} from '../test/helpers/anthropic-loopback';
import { git, makeRepo, type Fixture } from '../test/git/repo-fixture';

let fx: Fixture;
let lb: AnthropicLoopback;
let server: ChildProcess;
let url: string;

/** The folder Claude Code says it works in (its system prompt names it): the worktree. */
const workingDirectory = (raw: string): string => {
  const m = /[Ww]orking directory: ([^\s\\"]+)/.exec(raw);
  if (!m) throw new Error('the request does not name a working directory');
  return m[1]!;
};
/** A Write of a new notes.txt, into the worktree of the agent that asks. */
const writeNotes = (line2: string): ScriptedResponse => ({
  kind: 'dynamic',
  make: (_body, raw) =>
    script.toolUse([
      {
        name: 'Write',
        input: {
          file_path: join(workingDirectory(raw), 'notes.txt'),
          content: `Notes\n${line2}\n`,
        },
      },
    ]),
});

const rpc = (method: string, params?: unknown) => rpcAt(url, method, params);

test.beforeAll(async () => {
  fx = makeRepo();
  lb = await startAnthropicLoopback();
  // Any key: the loopback does not check it. Claude Code's own traffic stays off.
  const started = startServer(join(fx.dir, 'e2e.db'), { ANTHROPIC_API_KEY: 'e2e-key' });
  server = started.child;
  url = await started.url;
  const agent = (marker: string, more: Record<string, unknown> = {}) => ({
    kind: 'claude-code',
    model: 'claude-sonnet-4-5',
    baseURL: lb.url,
    appendSystemPrompt: `You are ${marker}.`,
    ...more,
  });
  await rpc('workflows.create', {
    definition: {
      name: 'Claude Code e2e',
      repository: { path: fx.repo, worktreeRoot: fx.worktreeRoot },
      sessions: [
        {
          id: 'lead',
          type: 'director',
          name: 'Lead',
          runner: { kind: 'fan-out' },
          position: { x: 220, y: 20 },
        },
        // Asks before every tool.
        {
          id: 'writer',
          type: 'department',
          name: 'Writer',
          runner: agent('E2E-WRITER'),
          position: { x: 20, y: 220 },
        },
        // Allowed to write without asking.
        {
          id: 'editor',
          type: 'department',
          name: 'Editor',
          runner: agent('E2E-EDITOR', { allowedTools: ['Write'] }),
          position: { x: 420, y: 220 },
        },
      ],
      edges: [
        { id: 'e1', from: 'lead', to: 'writer' },
        { id: 'e2', from: 'lead', to: 'editor' },
      ],
    },
  });
  lb.enqueueFor(
    'E2E-WRITER',
    script.toolUse([
      { name: 'Bash', input: { command: 'rm -rf build', description: 'Clean the build' } },
    ]),
    writeNotes('by the writer'),
    script.text(['Wrote the notes.']),
  );
  lb.enqueueFor('E2E-EDITOR', writeNotes('by the editor'), script.text(['Wrote other notes.']));
});

test.afterAll(async () => {
  await stopServer(server);
  await lb?.close();
  fx?.cleanup();
});

/** Selects a node and shows its inspector. */
async function inspect(page: Page, name: string) {
  await node(page, name).click();
  await page.getByRole('tab', { name: 'Inspector' }).click();
  return page.getByRole('region', { name: `Inspector: ${name}` });
}

test('a department waits for allow/deny from the inspector; its diff merges, a conflict is shown', async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  const problems = trackProblems(page);
  // Record desktop notifications (the real API, observed).
  await context.grantPermissions(['notifications']);
  await page.addInitScript(() => {
    const w = window as unknown as { __notified: string[]; Notification: typeof Notification };
    w.__notified = [];
    const Real = w.Notification;
    w.Notification = class extends Real {
      constructor(title: string, options?: NotificationOptions) {
        w.__notified.push(title);
        super(title, options);
      }
    } as typeof Notification;
  });
  await page.goto(url);
  await page.getByRole('combobox', { name: 'Workflow' }).selectOption({ label: 'Claude Code e2e' });
  await expect(node(page, 'Writer')).toContainText('claude-code');

  // Settings are checked at the field: a bad value is refused with the reason there.
  await page.locator('.react-flow__pane').click({ position: { x: 60, y: 60 } });
  await expect(page.getByLabel('Repository path')).toHaveValue(fx.repo);
  const base = page.getByLabel('Base branch');
  await base.fill('my branch');
  await base.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'cannot contain spaces' })).toBeVisible();
  await base.fill('main');
  await base.press('Enter');
  await expect(base).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('status', { name: 'Save state: saved' })).toBeVisible();
  await node(page, 'Writer').click();
  const turns = page.getByLabel('Max turns');
  await turns.fill('0');
  await turns.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'whole number' })).toBeVisible();
  await expect(turns).toHaveAttribute('aria-invalid', 'true');
  await turns.fill('20');
  await turns.press('Enter');
  await expect(turns).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Permission mode')).toHaveValue('default');
  await page.screenshot({ path: `${ARTIFACTS}/cc-properties.png` });

  await page.getByRole('button', { name: 'Run', exact: true }).click();

  // The Writer asks to run a command: the node, the header and a desktop notification tell.
  await expect(node(page, 'Writer').getByRole('status', { name: 'Writer needs you' })).toBeVisible({
    timeout: 60_000,
  });
  const pending = page.getByRole('button', { name: '1 request waits for you' });
  await expect(pending).toBeVisible();
  // The count fits: the header stays one row at 1440 px.
  const header = await page.locator('header.header').boundingBox();
  const count = await pending.boundingBox();
  expect(count!.y + count!.height).toBeLessThanOrEqual(header!.y + 44);
  // Clicking it opens the asking session's Inspector tab, whatever the side panel showed.
  await node(page, 'Writer').click();
  await page.getByRole('tab', { name: 'Properties' }).click();
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute(
    'aria-selected',
    'false',
  );
  await pending.click();
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __notified: string[] }).__notified))
    .toContain('Writer asks to use Bash');

  const inspector = await inspect(page, 'Writer');
  const waiting = inspector.getByRole('region', { name: 'Waiting for you' });
  await expect(waiting).toContainText('Tool: Bash');
  await expect(waiting.getByLabel('Tool input')).toContainText('"command": "rm -rf build"');
  await page.screenshot({ path: `${ARTIFACTS}/cc-permission.png` });
  await waiting
    .getByRole('textbox', { name: 'Answer' })
    .fill('Not now: the build folder is needed.');
  // With notifications no longer allowed, the next request comes as a toast in the app.
  await context.clearPermissions();
  await waiting.getByRole('button', { name: 'Deny' }).click();

  // Denied: the agent was told why, and asks for the Write next; this one is allowed.
  await expect(waiting).toContainText('Tool: Write', { timeout: 30_000 });
  expect(
    lb.requests.some((r) => JSON.stringify(r.body).includes('Not now: the build folder')),
  ).toBe(true);
  const toast = page.getByRole('region', { name: 'Notifications' }).getByRole('alert');
  await expect(toast).toContainText('Writer asks to use Write');
  expect(
    await page.evaluate(() => (window as unknown as { __notified: string[] }).__notified),
  ).toEqual(['Writer asks to use Bash']);
  await waiting.getByRole('button', { name: 'Allow' }).click();
  await expect(toast).toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(node(page, 'Writer').getByRole('status', { name: 'Writer needs you' })).toHaveCount(
    0,
  );
  await expect(page.getByRole('button', { name: /waits? for you/ })).toHaveCount(0);

  // The Writer's change against base: one new file of two lines.
  const changes = inspector.getByRole('region', { name: 'Changes' });
  await expect(changes.getByLabel('Changes: 1 file, +2 \u22120')).toBeVisible();
  await expect(changes.locator('.diff-line.added .code')).toHaveText(['Notes', 'by the writer']);
  await expect(changes.locator('.diff-line.removed')).toHaveCount(0);
  await changes.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}/cc-diff.png` });
  await changes.getByRole('button', { name: 'Merge' }).click();
  await expect(changes.getByRole('status')).toContainText('Merged into main');
  expect(git(fx.repo, 'show', 'main:notes.txt')).toContain('by the writer');

  // The git commands run for it, listed (args shown for reading).
  await changes.getByText('Git commands').click();
  await expect(
    changes.getByRole('list', { name: 'Git commands run' }).getByRole('listitem').first(),
  ).toContainText('git ');

  // The Editor wrote the same file differently: its merge reports the conflict, naming the file.
  const editor = await inspect(page, 'Editor');
  const editorChanges = editor.getByRole('region', { name: 'Changes' });
  await expect(editorChanges.locator('.diff-line.added .code')).toHaveText([
    'Notes',
    'by the editor',
  ]);
  await editorChanges.getByRole('button', { name: 'Merge' }).click();
  const conflict = editorChanges.getByRole('alert');
  await expect(conflict).toContainText('nothing was merged into main');
  await expect(conflict).toContainText('notes.txt');
  await conflict.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}/cc-conflict.png` });
  expect(git(fx.repo, 'show', 'main:notes.txt')).toContain('by the writer');

  // Discard asks first; confirmed, the branch is gone.
  const branch = git(fx.repo, 'branch', '--list', 'orchestration/*editor*');
  expect(branch).not.toBe('');
  await editorChanges.getByRole('button', { name: 'Discard' }).click();
  const confirm = editorChanges.getByRole('alertdialog', { name: 'Discard changes?' });
  await confirm.getByRole('button', { name: 'Discard changes' }).click();
  await expect(editorChanges).toContainText("Editor's worktree and branch were discarded");
  expect(git(fx.repo, 'branch', '--list', 'orchestration/*editor*')).toBe('');

  // Tokens and cost roll up on the director.
  const lead = await inspect(page, 'Lead');
  const usage = lead.getByRole('region', { name: 'Cost and tokens (run)' });
  await expect(usage.getByRole('row', { name: /^Writer: [1-9][\d,]* tokens/ })).toBeVisible();
  await expect(usage.getByRole('row', { name: /^Editor: [1-9][\d,]* tokens/ })).toBeVisible();
  await expect(usage.getByRole('row', { name: /^Run total: [1-9][\d,]* tokens/ })).toBeVisible();
  await usage.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}/cc-usage.png` });

  expect(problems).toEqual([]);
});
