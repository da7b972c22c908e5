// Bundles the SDK (engine included) into sdk/dist so plain `node` can import it; native and
// large runtime packages stay external and come from the SDK's own dependencies. Then emits the
// declarations (tsc --emitDeclarationOnly) into sdk/dist/types, entry
// sdk/dist/types/sdk/src/index.d.ts. Inside the repository `types` points at src, so the test
// run's global setup (VITEST set) and `--no-types` skip that slower step.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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

if (!process.env.VITEST && !process.argv.includes('--no-types')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const outDir = 'sdk/dist/types';
  rmSync(`${root}/${outDir}`, { recursive: true, force: true });
  // The repository's compiler options, spelled out: a tsconfig cannot be combined with a file list.
  const options = [
    '--declaration',
    '--emitDeclarationOnly',
    '--rootDir',
    '.',
    '--outDir',
    outDir,
    '--target',
    'ES2022',
    '--lib',
    'ES2023,DOM',
    '--module',
    'ESNext',
    '--moduleResolution',
    'Bundler',
    '--strict',
    '--skipLibCheck',
    '--esModuleInterop',
    '--resolveJsonModule',
    '--isolatedModules',
    '--verbatimModuleSyntax',
    '--types',
    'node',
  ];
  execFileSync(process.execPath, [tsc, ...options, 'sdk/src/index.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
  console.log(`sdk: declarations in ${outDir}/sdk/src/index.d.ts`);
}
