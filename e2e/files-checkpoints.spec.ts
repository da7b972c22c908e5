/**
 * Workflow files and checkpoints in the app: export a workflow (a real download), import it back
 * as a copy (Rename), see it on the canvas, trust and run it; import a broken file (dropped on
 * the canvas) and pick its problems; then run, Create checkpoint, let the run go on, Restore,
 * see the canvas and log go back, Resume the interrupted run from the run history, undo the
 * restore from the pre-restore checkpoint, compare, and fork into a database of its own.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ARTIFACTS, node, trackProblems, waitSaved } from './support/canvas';

async function newFromStarter(page: Page, name: string) {
  await page.getByRole('button', { name: 'New workflow' }).click();
  await page
    .getByRole('button', { name: /Open sample: Starter/ })
    .first()
    .click();
  await expect(node(page, 'Director')).toBeVisible();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('Workflow name').fill(name);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('combobox', { name: 'Workflow' })).toContainText(name);
  await waitSaved(page);
}

async function dropFile(page: Page, fileName: string, text: string) {
  const dataTransfer = await page.evaluateHandle(
    ([name, body]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], name, { type: 'application/json' }));
      return dt;
    },
    [fileName, text] as const,
  );
  await page.dispatchEvent('main.main', 'dragover', { dataTransfer });
  await page.dispatchEvent('main.main', 'drop', { dataTransfer });
}

/** Names unique per test run: the specs share one database (and may be repeated). */
const unique = (name: string) => `${name} ${Date.now().toString(36).slice(-4)}`;
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const logRows = (page: Page) =>
  page.getByRole('table', { name: 'Message log' }).locator('tbody tr');

test('export a workflow, import it as a copy, trust and run it; a broken file lists its problems', async ({
  page,
}) => {
  const problems = trackProblems(page);
  await page.goto(process.env.E2E_URL!);
  const NAME = unique('Export demo');
  const FILE = `${slug(NAME)}.orchestration.json`;
  await newFromStarter(page, NAME);

  // Export: a download named after the workflow.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(FILE);
  const text = readFileSync((await download.path())!, 'utf8');
  const file = JSON.parse(text) as {
    format: string;
    name: string;
    sessions: { id: string; name: string; runner?: Record<string, unknown> }[];
    edges: { id: string; from: string; to: string }[];
  };
  expect(file.format).toBe('orchestration-workflow');
  expect(file.name).toBe(NAME);
  await expect(page.getByRole('status').filter({ hasText: `Exported ${FILE}` })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Import the same file through the file picker: the name clash asks Rename or Replace.
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import', exact: true }).click(),
  ]);
  await chooser.setFiles({
    name: FILE,
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
  const clash = page.getByRole('dialog', { name: 'A workflow with this name exists' });
  await expect(clash).toContainText(`${NAME} (copy)`);
  await page.screenshot({ path: `${ARTIFACTS}/12-import-clash.png` });
  await clash.getByRole('button', { name: 'Rename', exact: true }).click();

  // The copy is open on the canvas; nothing ran; what it would run is shown before trusting.
  await expect(page.getByRole('combobox', { name: 'Workflow' })).toContainText(`${NAME} (copy)`);
  for (const s of file.sessions) await expect(node(page, s.name)).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(file.edges.length);
  const trust = page.getByRole('dialog', { name: 'What this workflow would run' });
  await expect(trust.getByRole('list', { name: 'What it would run' })).toContainText(
    'runs JavaScript',
  );
  await page.screenshot({ path: `${ARTIFACTS}/13-import-trust.png` });
  await trust.getByRole('button', { name: 'Trust and run' }).click();
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 30_000,
  });

  // A broken file dropped on the canvas: nothing imported, every problem listed with its path.
  const broken = structuredClone(file);
  broken.edges[0]!.to = 'nobody';
  const dept = broken.sessions.find((s) => s.runner?.kind === 'script')!;
  dept.runner = { kind: 'shell' };
  const before = await page.getByRole('combobox', { name: 'Workflow' }).locator('option').count();
  await dropFile(page, 'broken.orchestration.json', JSON.stringify(broken, null, 2));
  const list = page.getByRole('region', { name: 'Problems in the file' });
  await expect(list).toContainText('broken.orchestration.json was not imported');
  const deptAt = broken.sessions.indexOf(dept);
  const sessionProblem = list.getByRole('button', {
    name: new RegExp(`/sessions/${deptAt}/runner`),
  });
  await expect(sessionProblem.first()).toBeVisible();
  await expect(list.getByRole('button', { name: /\/edges\/0\/to/ })).toBeVisible();
  expect(await page.getByRole('combobox', { name: 'Workflow' }).locator('option').count()).toBe(
    before,
  );

  // Clicking a problem selects the node it is about (the copy on the canvas has the same ids).
  await sessionProblem.first().click();
  await expect(node(page, dept.name)).toHaveClass(/selected/);
  await expect(list.getByLabel('In the file')).toContainText('"shell"');
  await page.screenshot({ path: `${ARTIFACTS}/14-import-problems.png` });
  await list.getByRole('button', { name: 'Close the problems list' }).click();
  await expect(list).toHaveCount(0);

  expect(problems).toEqual([]);
});

test('run, Create checkpoint, let the run go on, Restore, and undo the restore', async ({
  page,
}) => {
  const problems = trackProblems(page);
  await page.goto(process.env.E2E_URL!);
  await newFromStarter(page, unique('Checkpoint demo'));
  const CHECKPOINT = unique('Waiting for Writing');

  // Writing is done by a person, so the run waits there.
  await node(page, 'Writing').click();
  await page
    .getByRole('tab', { name: 'Properties' })
    .click()
    .catch(() => undefined);
  await page.getByLabel('Runner').selectOption('manual');
  await waitSaved(page);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run running' })).toBeVisible();
  await node(page, 'Writing').click();
  await page.getByRole('tab', { name: 'Inspector' }).click();
  const waiting = page.getByRole('region', { name: 'Waiting for an answer' });
  await expect(waiting).toBeVisible({ timeout: 30_000 });
  // Research (a script) has reported back; Writing waits.
  const log = page.getByRole('table', { name: 'Message log' });
  await expect(log.getByRole('row', { name: /COMPLETION_NOTIFICATION\s+Research/ })).toHaveCount(1);
  await page.waitForTimeout(400); // the log publishes at most 5 times a second
  const rowsAtCheckpoint = await logRows(page).count();

  // Create checkpoint (named), from the keyboard: Ctrl/Cmd+S.
  await expect(
    page.getByRole('button', { name: 'Create checkpoint', exact: true }),
  ).toHaveAttribute('aria-keyshortcuts', /Control\+S/);
  await page.keyboard.press('ControlOrMeta+S');
  const create = page.getByRole('dialog', { name: 'Create checkpoint' });
  await create.getByLabel('Checkpoint name').fill(CHECKPOINT);
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  const timeline = page.getByRole('list', { name: 'Checkpoint timeline' });
  const entry = timeline.getByRole('listitem', { name: `Checkpoint ${CHECKPOINT}` });
  await expect(entry).toContainText('named');
  await expect(entry).toContainText(/\d+(\.\d)? (B|KB)/);
  await page.screenshot({ path: `${ARTIFACTS}/15-checkpoint-created.png` });

  // The run goes on: Writing is answered and the run completes.
  await waiting.getByLabel('Answer (JSON)').fill('{"text": "written"}');
  await waiting.getByRole('button', { name: 'Answer' }).click();
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 30_000,
  });
  await page.getByRole('tab', { name: /Message log/ }).click();
  await expect(log.getByRole('row', { name: /COMPLETION_NOTIFICATION\s+Writing/ })).toHaveCount(1);
  await page.waitForTimeout(400);
  const rowsAfterRun = await logRows(page).count();
  expect(rowsAfterRun).toBeGreaterThan(rowsAtCheckpoint);
  await page.screenshot({ path: `${ARTIFACTS}/16-run-went-on.png` });

  // Restore: the header button opens the timeline; the entry's Restore asks first.
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await entry.getByRole('button', { name: 'Restore', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Restore "${CHECKPOINT}"?` });
  const changes = confirm.getByRole('list', { name: 'What will change' });
  await expect(changes).toContainText('Unacknowledged messages');
  // The run was live at the checkpoint: it comes back interrupted, its waiting session idle.
  await expect(changes).toContainText(/Session "Writing" \(run …\w+\) goes from completed to idle/);
  await expect(changes).toContainText(/Run …\w+ of "[^"]+" goes from completed to interrupted/);
  await expect(changes).toContainText('it comes back interrupted');
  await page.screenshot({ path: `${ARTIFACTS}/17-restore-confirm.png` });
  await confirm.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(confirm).toHaveCount(0);

  // At once: the run is back to where it was (interrupted, with a Resume offer), the log has the
  // checkpoint's messages only, and the pre-restore checkpoint is on the timeline.
  await expect(page.getByRole('status', { name: 'Last restore' })).toContainText(CHECKPOINT);
  const preRestore = timeline.getByRole('listitem', {
    name: `Checkpoint Before restoring "${CHECKPOINT}"`,
  });
  await expect(preRestore).toContainText('before restore');
  await page.screenshot({ path: `${ARTIFACTS}/18-restored-timeline.png` });
  await expect(page.getByRole('status', { name: 'Run interrupted' })).toBeVisible();
  await page.getByRole('tab', { name: /Message log/ }).click();
  await expect(log.getByRole('row', { name: /COMPLETION_NOTIFICATION\s+Writing/ })).toHaveCount(0);
  await expect(logRows(page)).toHaveCount(rowsAtCheckpoint);
  await expect(log.getByRole('row', { name: /COMPLETION_NOTIFICATION\s+Research/ })).toHaveCount(1);
  await node(page, 'Writing').click();
  await page.getByRole('tab', { name: 'Inspector' }).click();
  await expect(page.getByRole('region', { name: 'Inspector: Writing' })).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/19-restored.png` });

  // Resume the interrupted run from the run history: Writing is asked again and the run completes.
  await page.getByRole('tab', { name: /Run history/ }).click();
  await page.getByRole('button', { name: /^Resume run / }).click();
  await expect(page.getByRole('status', { name: 'Run running' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Resume run / })).toHaveCount(0);
  await node(page, 'Writing').click();
  await page.getByRole('tab', { name: 'Inspector' }).click();
  await expect(waiting).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${ARTIFACTS}/19b-resumed.png` });
  await waiting.getByLabel('Answer (JSON)').fill('{"text": "written again"}');
  await waiting.getByRole('button', { name: 'Answer' }).click();
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 30_000,
  });

  // Undo the restore: the pre-restore checkpoint puts the finished run back.
  await page.getByRole('tab', { name: /Checkpoints/ }).click();
  await page.getByRole('button', { name: 'Undo restore' }).click();
  const undo = page.getByRole('dialog', { name: /Restore "Before restoring/ });
  await expect(undo.getByRole('list', { name: 'What will change' })).toBeVisible();
  await undo.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(undo).toHaveCount(0);
  // The undo can be undone too; its checkpoint names the restore it undid, without nesting.
  await expect(
    timeline.getByRole('listitem', {
      name: `Checkpoint Before undoing the restore of "${CHECKPOINT}"`,
    }),
  ).toContainText('before restore');
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible();
  await page.getByRole('tab', { name: /Message log/ }).click();
  await expect(log.getByRole('row', { name: /COMPLETION_NOTIFICATION\s+Writing/ })).toHaveCount(1);
  await expect(logRows(page)).toHaveCount(rowsAfterRun);
  await page.screenshot({ path: `${ARTIFACTS}/20-restore-undone.png` });

  // Compare the named checkpoint with the pre-restore one: the run went on to complete.
  await page.getByRole('tab', { name: /Checkpoints/ }).click();
  await entry.getByRole('checkbox').check();
  await preRestore.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const diff = page.getByRole('dialog', { name: 'Compare checkpoints' });
  const differences = diff.getByRole('list', { name: 'Differences' });
  await expect(differences).toContainText(/Run …\w+ of "[^"]+": running → completed/);
  // Sessions as the workflow names them, with their run; never the engine's "<run tail>/name".
  await expect(differences).toContainText(/Session "Writing" \(run …\w+\)/);
  await expect(differences).not.toContainText(/[0-9a-f]{12}\//);
  await page.screenshot({ path: `${ARTIFACTS}/21-compare.png` });
  await diff.getByRole('button', { name: 'Close' }).click();

  // Fork the named checkpoint: a new database beside this one, and the command that opens it.
  await entry.getByRole('button', { name: 'Fork', exact: true }).click();
  const forked = page.getByRole('dialog', { name: 'Forked' });
  const forkPath = (await forked.getByLabel('Forked database').textContent())!.trim();
  await expect(forked.getByLabel('Command to open the fork')).toHaveText(
    `npx orchestration serve --db "${forkPath}"`,
  );
  const fork = new Database(forkPath, { readonly: true });
  try {
    // The fork holds the checkpoint's run as it was then: live, to be resumed when opened.
    expect(fork.prepare(`SELECT status FROM runs`).pluck().all()).toContain('running');
    // With the history it needs to resume: what was acknowledged by then, as the dialog says.
    const history = fork
      .prepare(`SELECT count(*) FROM messages WHERE state = 'acknowledged'`)
      .pluck()
      .get() as number;
    expect(history).toBeGreaterThan(0);
    await expect(forked).toContainText(`${history} acknowledged before it`);
  } finally {
    fork.close();
  }
  await page.screenshot({ path: `${ARTIFACTS}/22-forked.png` });
  await forked.getByRole('button', { name: 'Close' }).click();

  // A checkpoint an earlier restore left behind: its confirmation warns before anything changes.
  const LATER = unique('Later');
  await page.keyboard.press('ControlOrMeta+S');
  await create.getByLabel('Checkpoint name').fill(LATER);
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  const later = timeline.getByRole('listitem', { name: `Checkpoint ${LATER}` });
  await expect(later).toBeVisible();
  await entry.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(confirm.getByRole('list', { name: 'What will change' })).toBeVisible();
  await expect(confirm.getByRole('list', { name: 'Warnings' })).toHaveCount(0);
  await confirm.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(confirm).toHaveCount(0);
  await later.getByRole('button', { name: 'Restore', exact: true }).click();
  const leftBehind = page.getByRole('dialog', { name: `Restore "${LATER}"?` });
  await expect(leftBehind.getByRole('list', { name: 'Warnings' })).toContainText(
    `Checkpoint "${LATER}" is on another timeline`,
  );
  await page.screenshot({ path: `${ARTIFACTS}/22b-left-behind.png` });
  await leftBehind.getByRole('button', { name: 'Cancel' }).click();

  expect(problems).toEqual([]);
});
