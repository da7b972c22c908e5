/**
 * A new user's first session in browser mode: build a director with two departments from the
 * palette, connect them, set runners, run, watch messages arrive, inspect, reload, undo a delete.
 */
import { expect, test } from '@playwright/test';
import {
  ARTIFACTS,
  connect,
  dragFromPalette,
  node,
  nodePositions,
  trackProblems,
  waitSaved,
} from './support/canvas';

const URL_ = process.env.E2E_URL!;
const HANDLER = `async function handle(message, ctx) {
  ctx.log('handled ' + JSON.stringify(message.content));
  return { ok: true, by: ctx.session.name };
}`;

test('design, run, inspect, reload and undo — as a new user', async ({ page }) => {
  const problems = trackProblems(page);
  await page.goto(URL_);
  await expect(page.getByRole('heading', { name: 'Design an orchestration' })).toBeVisible();
  for (const name of ['Run', 'Stop', 'Create checkpoint', 'Restore', 'Export', 'Import']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  }
  await page.screenshot({ path: `${ARTIFACTS}/01-welcome.png` });

  await page.getByRole('button', { name: 'Create your first workflow' }).click();
  await expect(page.getByText('This workflow is empty')).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/02-empty-canvas.png` });

  // Drag a director and two departments from the palette.
  await dragFromPalette(page, 'Director', 480, 120);
  await expect(node(page, 'Director')).toBeVisible();
  await dragFromPalette(page, 'Department', 300, 360);
  await dragFromPalette(page, 'Department', 660, 360);
  await expect(node(page, 'Department 1')).toBeVisible();
  await expect(node(page, 'Department 2')).toBeVisible();

  // Connect them; a forbidden edge is refused with a visible reason.
  await connect(page, 'Director', 'Department 1');
  await connect(page, 'Director', 'Department 2');
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await connect(page, 'Department 1', 'Department 2');
  await expect(page.getByRole('alert')).toContainText('not to each other');
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await page.getByRole('button', { name: 'Dismiss' }).click();

  // Set runners: the director fans out, each department runs a tiny script.
  await node(page, 'Director').click();
  await expect(page.getByLabel('Runner')).toHaveValue('fan-out');
  for (const name of ['Department 1', 'Department 2']) {
    await node(page, name).click();
    await page.getByLabel('Runner').selectOption('script');
    await page.getByLabel('Script source').fill(HANDLER);
    await page.getByLabel('Name').focus(); // blur commits the edit
  }
  await waitSaved(page);
  await page.screenshot({ path: `${ARTIFACTS}/03-designed.png` });

  // Run and watch messages arrive on the edges and in the log.
  await page.getByLabel('Run input (JSON)').fill('{"task": "summarise the report"}');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 30_000,
  });
  const labels = page.locator('.edge-label');
  await expect(labels).toHaveCount(2);
  for (const label of await labels.all()) {
    await expect(label).toHaveAttribute('aria-label', /^[1-9]\d* messages/);
  }
  const log = page.getByRole('table', { name: 'Message log' });
  await expect(log.getByRole('cell', { name: 'DIRECTION' }).first()).toBeVisible();
  await expect(log.getByRole('cell', { name: 'COMPLETION_NOTIFICATION' }).first()).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/04-after-run.png` });

  // Open a session in the inspector.
  await node(page, 'Department 1').click();
  const inspector = page.getByRole('region', { name: 'Inspector: Department 1' });
  await expect(inspector).toBeVisible();
  await expect(inspector.getByRole('region', { name: 'Inbox' })).toContainText('DIRECTION');
  await expect(inspector.getByRole('region', { name: 'Logs' })).toContainText('handled');
  await page.screenshot({ path: `${ARTIFACTS}/05-inspector.png` });

  // Reload: the canvas, positions, counts and run history are all still there.
  const before = await nodePositions(page);
  await page.reload();
  await expect(node(page, 'Department 2')).toBeVisible();
  expect(await nodePositions(page)).toEqual(before);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.locator('.edge-label').first()).toHaveAttribute(
    'aria-label',
    /^[1-9]\d* messages/,
  );
  await page.getByRole('tab', { name: /Run history/ }).click();
  await expect(page.getByRole('list', { name: 'Run history' })).toContainText('completed');
  await page.screenshot({ path: `${ARTIFACTS}/06-after-reload.png` });

  // Delete a node, then undo the delete (keyboard), redo and undo again (buttons).
  await node(page, 'Department 2').click();
  await page.keyboard.press('Delete');
  await expect(node(page, 'Department 2')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await page.keyboard.press('Control+z');
  await expect(node(page, 'Department 2')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(node(page, 'Department 2')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(node(page, 'Department 2')).toBeVisible();
  await waitSaved(page);
  await page.reload();
  await expect(node(page, 'Department 2')).toBeVisible();

  // The dark theme.
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  await node(page, 'Director').click();
  await page.screenshot({ path: `${ARTIFACTS}/07-dark.png` });

  expect(problems).toEqual([]);
});
