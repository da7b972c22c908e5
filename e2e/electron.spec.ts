/**
 * The Electron shell, driven with Playwright's `_electron`: the hardened window, the one narrow
 * bridge object, and a round trip over IPC. Electron ≥ 45 fetches its binary on first launch,
 * which these machines cannot do, so the spec skips (saying why) when no binary is on disk.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';

const root = join(import.meta.dirname, '..');

function electronBinary(): { path?: string; reason?: string } {
  let dir: string;
  try {
    dir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: `no Electron binary under ${join(dir, 'dist')}` };
  const path = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(path) ? { path } : { reason: `${path} is missing` };
}

const binary = electronBinary();
const built = existsSync(join(root, 'out', 'main', 'index.js'));
const skipReason = binary.reason ?? (built ? undefined : 'the app is not built (npm run build)');
if (skipReason) console.log(`[electron.spec] skipped: ${skipReason}`);

test.describe('Electron shell', () => {
  test.skip(skipReason !== undefined, skipReason ?? '');
  let app: ElectronApplication;

  test.beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-electron-'));
    app = await electron.launch({
      executablePath: binary.path,
      args: [root],
      cwd: root,
      env: { ...process.env, ORCHESTRATION_DB: join(dir, 'orchestration.db') },
    });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('the page has no Node and exactly one narrow bridge', async () => {
    const page = await app.firstWindow();
    const shape = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { orchestration: object }).orchestration).sort(),
    }));
    expect(shape).toEqual({
      require: 'undefined',
      process: 'undefined',
      bridge: ['call', 'onEvents', 'subscribe'],
    });
  });

  test('a contract call round-trips over IPC, errors keep their codes', async () => {
    const page = await app.firstWindow();
    const info = await page.evaluate(() =>
      (
        window as unknown as { orchestration: { call(m: string, p?: unknown): Promise<unknown> } }
      ).orchestration.call('engine.info'),
    );
    expect(info).toMatchObject({ result: { apiVersion: '1.0.0', role: 'admin' } });
    const bad = await page.evaluate(() =>
      (
        window as unknown as { orchestration: { call(m: string, p?: unknown): Promise<unknown> } }
      ).orchestration.call('sessions.create', { type: 'boss' }),
    );
    expect(bad).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  test('navigation and new windows are denied', async () => {
    const page = await app.firstWindow();
    const before = page.url();
    const opened = await page.evaluate(() => window.open('https://example.com') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(app.windows()).toHaveLength(1);
    await page.screenshot({ path: join(root, 'e2e', 'artifacts', 'electron.png') });
  });
});
