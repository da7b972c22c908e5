/**
 * Finds a Chromium for Playwright without downloading browsers (never `npx playwright install`):
 * $CHROMIUM_PATH / $PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH, then /usr/bin/chromium (Debian's
 * package), then Playwright's own cache if one is present. If none is found it installs Debian's
 * `chromium` with apt-get (via sudo when not root), saying so on one line.
 *   node scripts/chromium.mjs   → prints the path (installing if needed)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The launch flags that work on these machines (see ARCHITECTURE.md, environment facts). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function fromPlaywrightCache() {
  const root = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(root)) return null;
  const dirs = readdirSync(root)
    .filter((d) => d.startsWith('chromium-'))
    .sort()
    .reverse();
  for (const dir of dirs) {
    for (const rel of ['chrome-linux64/chrome', 'chrome-linux/chrome']) {
      const path = join(root, dir, rel);
      if (existsSync(path)) return path;
    }
  }
  return null;
}

/** The first Chromium found, or null. */
export function findChromium() {
  for (const env of ['CHROMIUM_PATH', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH']) {
    const path = process.env[env];
    if (path) {
      if (existsSync(path)) return path;
      console.warn(`${env}=${path} does not exist; looking elsewhere`);
    }
  }
  return SYSTEM_PATHS.find((p) => existsSync(p)) ?? fromPlaywrightCache();
}

/** Installs Debian's chromium package (apt-get, with sudo when not root). */
export function installChromium() {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const run = (args) => {
    const [cmd, ...rest] = root ? args : ['sudo', '-n', ...args];
    execFileSync(cmd, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  console.log(
    'Chromium not found: installing Debian\'s "chromium" package with apt-get (one time)…',
  );
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', 'chromium']);
}

/** A Chromium path, installing Debian's package if none is found. Throws with a clear message. */
export function ensureChromium() {
  let path = findChromium();
  if (path) return path;
  try {
    installChromium();
  } catch (error) {
    throw new Error(
      'No Chromium found and `apt-get install -y chromium` failed. Install Chromium yourself and ' +
        `set CHROMIUM_PATH to its binary. (${error instanceof Error ? error.message : error})`,
    );
  }
  path = findChromium();
  if (!path)
    throw new Error('apt-get installed chromium but no binary was found; set CHROMIUM_PATH.');
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(ensureChromium());
}
