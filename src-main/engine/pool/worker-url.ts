import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The worker entry. Bundled, it is `worker.js` next to the bundle (electron-vite builds
 * worker.mjs as a second main entry); from source (Vitest, tsx) it is worker.mjs next to this
 * file. worker.mjs is plain ESM, so neither case needs a loader in the worker thread.
 */
export function defaultWorkerUrl(): URL {
  const bundled = new URL('./worker.js', import.meta.url);
  if (bundled.protocol === 'file:' && existsSync(fileURLToPath(bundled))) return bundled;
  const sourceEntry = 'worker.mjs'; // not a literal in new URL(): bundlers must not treat it as an asset
  return new URL(`./${sourceEntry}`, import.meta.url);
}
