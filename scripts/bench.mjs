// `npm run bench [names…]`: bundles bench/ (our code inside, packages external) into out/bench
// and runs it with plain node. The benchmarks then time our code as it ships — built by a bundler
// — and not as a development loader serves it: tsx keeps every function's name by wrapping each
// closure in a defineProperty call, a cost no build has and the peers in node_modules never pay.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}out/bench`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { index: 'bench/index.ts' },
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
  plugins: [sourceLocations()],
});
const run = spawnSync(
  process.execPath,
  ['--enable-source-maps', `${outdir}/index.js`, ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
process.exit(run.status ?? 1);

/**
 * Each module keeps its own location: files found next to a source file (fixtures, results, the
 * pool's worker, the built renderer) are found as when it runs from source.
 */
function sourceLocations() {
  return {
    name: 'source-locations',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, ({ path }) => {
        if (path.includes('/node_modules/')) return undefined;
        const contents = readFileSync(path, 'utf8')
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)));
        return { contents, loader: extname(path) === '.tsx' ? 'tsx' : 'ts' };
      });
    },
  };
}
