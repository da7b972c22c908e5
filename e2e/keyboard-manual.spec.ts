/**
 * Keyboard editing and a person in the loop: add sessions with Enter, auto layout, refused
 * edges, copy/paste, the shortcuts list (?), a run started with Ctrl/Cmd+Enter, a manual
 * department answered from the inspector, the API sandbox.
 */
import { expect, test } from '@playwright/test';
import {
  ARTIFACTS,
  connect,
  node,
  nodePositions,
  trackProblems,
  waitSaved,
} from './support/canvas';

test('keyboard editing, a refused edge, copy/paste, and answering a manual step', async ({
  page,
}) => {
  const problems = trackProblems(page);
  await page.goto(process.env.E2E_URL!);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await expect(page.getByText('This workflow is empty')).toBeVisible();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('Workflow name').fill('Manual review');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('combobox', { name: 'Workflow' })).toContainText('Manual review');

  // Enter on a palette item adds it at the centre; auto layout spreads them out.
  for (const item of ['Director', 'Department', 'Observer']) {
    await page.getByRole('button', { name: item, exact: true }).focus();
    await page.keyboard.press('Enter');
  }
  await expect(page.locator('.react-flow__node')).toHaveCount(3);
  await page.getByRole('button', { name: 'Auto layout' }).click();
  await expect.poll(async () => new Set(Object.values(await nodePositions(page))).size).toBe(3);
  await page.waitForTimeout(200); // the fit after the layout

  // A second director and an edge into an observer are refused, with the reason shown.
  await page.getByRole('button', { name: 'Director', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('already has a director');
  await connect(page, 'Director', 'Department 1');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await connect(page, 'Director', 'Observer 1');
  await expect(page.getByRole('alert')).toContainText('Observers only watch');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await page.getByRole('button', { name: 'Auto layout' }).click();

  // The department is worked by a person.
  await node(page, 'Department 1').click();
  await page.getByLabel('Runner').selectOption('manual');
  await expect(node(page, 'Department 1')).toContainText('manual');

  // Copy/paste makes "Department 2"; undo takes it away again.
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(node(page, 'Department 2')).toBeVisible();
  await expect(node(page, 'Department 2')).toContainText('manual');
  await page.keyboard.press('Control+z');
  await expect(node(page, 'Department 2')).toHaveCount(0);

  // Select the edge: its properties list the message types it may carry.
  await page.locator('.react-flow__edge').first().click({ force: true });
  await expect(page.getByRole('region', { name: 'Edge properties' })).toContainText('DIRECTION');
  await waitSaved(page);

  // ? lists every shortcut; Escape closes the list.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help.getByRole('row', { name: /Ctrl\/Cmd\+S\s+Create checkpoint/ })).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/keyboard-shortcuts.png` });
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // Run from the keyboard (Ctrl/Cmd+Enter): the manual step waits for an answer in the inspector.
  const runInput = page.getByLabel('Run input (JSON)');
  await runInput.fill('{"question": "ship it?"}');
  await runInput.blur();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveAttribute(
    'aria-keyshortcuts',
    /Control\+Enter/,
  );
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByRole('status', { name: 'Run running' })).toBeVisible();
  await node(page, 'Department 1').click();
  const waiting = page.getByRole('region', { name: 'Waiting for an answer' });
  await expect(waiting).toContainText('ship it?');

  // The API sandbox: send a message by hand from the department to its director.
  const compose = page.getByRole('form', { name: 'Send a message' });
  await compose.getByLabel('Receiver').selectOption({ label: 'Director' });
  await compose.getByLabel('Message type').selectOption('PROGRESS_REPORT');
  await compose.getByLabel('Content (JSON)').fill('{"percent": 50}');
  await compose.getByRole('button', { name: 'Send message' }).click();
  await expect(compose.getByRole('status')).toContainText('Sent PROGRESS_REPORT');
  await page.screenshot({ path: `${ARTIFACTS}/08-manual-waiting.png` });

  await waiting.getByLabel('Answer (JSON)').fill('{"approved": true}');
  await waiting.getByRole('button', { name: 'Answer' }).click();
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByRole('table', { name: 'Message log' })).toContainText('PROGRESS_REPORT');
  await page.screenshot({ path: `${ARTIFACTS}/09-manual-answered.png` });

  // Run again and press Stop while the person has not answered: the run is cancelled.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run running' })).toBeVisible();
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run cancelled' })).toBeVisible();
  await page.getByRole('tab', { name: /Run history/ }).click();
  const history = page.getByRole('list', { name: 'Run history' });
  await expect(history).toContainText('cancelled');

  // Delete the cancelled run (after confirming): it leaves the history, the other stays.
  await expect(history.getByRole('listitem')).toHaveCount(2);
  page.once('dialog', (dialog) => void dialog.accept());
  await history
    .getByRole('button', { name: /^Delete run / })
    .first()
    .click();
  await expect(history.getByRole('listitem')).toHaveCount(1);
  await expect(history).not.toContainText('cancelled');

  expect(problems).toEqual([]);
});
