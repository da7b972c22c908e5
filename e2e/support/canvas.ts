/** Helpers that drive the canvas the way a person does: palette drags and handle-to-handle drags. */
import { expect, type Locator, type Page } from '@playwright/test';

export const ARTIFACTS = 'e2e/artifacts';

export function node(page: Page, name: string): Locator {
  return page.getByRole('group', { name, exact: true });
}

/** Drags a palette item onto the canvas at (x, y) relative to the canvas pane. */
export async function dragFromPalette(page: Page, item: string, x: number, y: number) {
  const pane = page.locator('.react-flow__pane');
  await page.getByRole('button', { name: item, exact: true }).dragTo(pane, {
    targetPosition: { x, y },
  });
}

/** Drags from the bottom handle of `from` to the top handle of `to`. */
export async function connect(page: Page, from: string, to: string) {
  const source = node(page, from).locator('.react-flow__handle.source');
  const target = node(page, to).locator('.react-flow__handle.target');
  const a = await source.boundingBox();
  const b = await target.boundingBox();
  if (!a || !b) throw new Error(`handles of ${from} or ${to} are not visible`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Positions of every node, by name, in flow coordinates (from the transform). */
export async function nodePositions(page: Page): Promise<Record<string, string>> {
  return page
    .locator('.react-flow__node')
    .evaluateAll((els) =>
      Object.fromEntries(
        els.map((el) => [el.getAttribute('aria-label') ?? '', (el as HTMLElement).style.transform]),
      ),
    );
}

export async function waitSaved(page: Page) {
  await expect(page.getByRole('status', { name: 'Save state: saved' })).toBeVisible();
}

/** Collects page errors, console errors and failed requests; the spec expects none at the end. */
export function trackProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed loads are reported (with their URL) by the response listener below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) {
      problems.push(`HTTP ${r.status()}: ${r.url()}`);
    }
  });
  return problems;
}
