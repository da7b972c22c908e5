/**
 * Playwright drives Debian's Chromium (never a downloaded browser) against browser mode: the
 * real headless server started by e2e/global-setup.ts. Electron specs skip without a binary.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, ensureChromium } from './scripts/chromium.mjs';

const executablePath = ensureChromium();

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'e2e/artifacts/report' }]]
    : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath, args: CHROMIUM_FLAGS },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
