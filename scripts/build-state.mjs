/**
 * Whether a build output is older than the sources it comes from (used by `npm start` and
 * bin/orchestration.mjs to decide whether to rebuild or run from source).
 */
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_DIRS = ['src-main', 'src-shared', 'src-preload', 'src-renderer'];
const SOURCE_FILES = ['electron.vite.config.ts', 'package.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** The newest modification time among the app's sources. */
export function newestSource(root) {
  let newest = 0;
  for (const name of [...SOURCE_DIRS, ...SOURCE_FILES]) {
    const path = join(root, name);
    if (existsSync(path)) newest = Math.max(newest, newestMtime(path));
  }
  return newest;
}

/** True when `output` is missing or older than any source. */
export function isStale(root, output) {
  if (!existsSync(output)) return true;
  return statSync(output).mtimeMs < newestSource(root);
}
