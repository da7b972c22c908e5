/**
 * `npm start`: build if out/ is missing or older than the sources, then open the Electron app
 * when an Electron binary is installed. Electron ≥ 45 downloads its binary on first launch,
 * which cannot work offline, so this checks for the binary on disk (never launching `electron`
 * to find out) and otherwise says why in one line and starts browser mode instead.
 *   npm start [-- --port N --host H --db PATH --token T]   (options apply to browser mode)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isStale } from './build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = [
  'out/main/index.js',
  'out/main/cli.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];

function buildIfNeeded() {
  if (!outputs.some((o) => isStale(root, join(root, o)))) return;
  console.log('Building (out/ is missing or older than the sources)…');
  const bin = join(
    root,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite',
  );
  execFileSync(bin, ['build'], { cwd: root, stdio: 'inherit' });
}

/** The Electron executable if it is on disk, else the reason it is not. */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile))
    return {
      reason: `no Electron binary in ${join(pkgDir, 'dist')} (it is fetched on first launch, which needs a network)`,
    };
  const executable = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(executable)) return { reason: `the Electron binary ${executable} is missing` };
  return { executable };
}

buildIfNeeded();
const electron = electronBinary();
const args = process.argv.slice(2);
if (electron.executable) {
  const child = spawn(electron.executable, [root], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
} else {
  console.log(`Electron is not available (${electron.reason}); starting browser mode instead.`);
  const { main } = await import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href);
  const code = await main(['serve', ...args]);
  if (code !== 'running') process.exitCode = code;
}
