/** A sample one click away, and a failure marked where it happens (node, edge, log). */
import { expect, test } from '@playwright/test';
import { ARTIFACTS, node, trackProblems } from './support/canvas';

const THROWS = `async function handle(message, ctx) {
  throw new Error('writer is out of ink');
}`;

test('open a sample, break a department, and see the failure where it happens', async ({
  page,
}) => {
  const problems = trackProblems(page);
  await page.goto(process.env.E2E_URL!);
  // Other specs may have left workflows behind: a new, empty one shows the samples.
  await page.getByRole('button', { name: 'New workflow' }).click();
  await page
    .getByRole('button', { name: /Open sample: Starter/ })
    .first()
    .click();
  await expect(node(page, 'Director')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);

  await node(page, 'Writing').click();
  await page
    .getByRole('tab', { name: 'Properties' })
    .click()
    .catch(() => undefined);
  await page.getByLabel('Script source').fill(THROWS);
  await page.getByLabel('Name').focus();
  await expect(page.getByRole('status', { name: 'Save state: saved' })).toBeVisible();

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status', { name: /Run (failed|completed)/ })).toBeVisible({
    timeout: 60_000,
  });
  await expect(node(page, 'Writing').locator('.session-node')).toHaveClass(/failed/);
  await expect(node(page, 'Research').locator('.session-node')).not.toHaveClass(/failed/);
  const edge = page.locator('.edge-label').filter({ hasText: '⚠' });
  await expect(edge).toHaveCount(1);
  await expect(page.getByRole('table', { name: 'Message log' })).toContainText('ERROR');
  await page.screenshot({ path: `${ARTIFACTS}/10-failure.png` });
  expect(problems).toEqual([]);
});

test('a shipped sample runs as-is, with its suggested input', async ({ page }) => {
  const problems = trackProblems(page);
  await page.goto(process.env.E2E_URL!);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await page.getByRole('button', { name: /Open sample: Code review/ }).click();
  await expect(node(page, 'Reviewer')).toBeVisible();
  await expect(page.getByLabel('Run input (JSON)')).not.toHaveValue('{"task": "hello"}');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run completed' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.locator('.edge-label').first()).toHaveAttribute('aria-label', /^[1-9]/);
  await page.screenshot({ path: `${ARTIFACTS}/11-sample-code-review.png` });
  expect(problems).toEqual([]);
});
