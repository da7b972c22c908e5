// Bundles the SDK (engine included) into sdk/dist so plain `node` can import it; native and
// large runtime packages stay external and come from the SDK's own dependencies.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: {
    index: 'sdk/src/index.ts',
    // The pool's worker thread entry, found next to the bundle (src-main/engine/pool/worker-url.ts).
    worker: 'src-main/engine/pool/worker.mjs',
  },
  outdir: 'sdk/dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', '@anthropic-ai/sdk', 'ws'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log('sdk: built sdk/dist');
