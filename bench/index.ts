/** `npm run bench`: runs every benchmark (or those named as arguments), prints tables, writes bench/results/<name>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

type Bench = () => Promise<Record<string, unknown>>;
const benches: Record<string, () => Promise<Bench>> = {
  bus: async () => (await import('./bus')).benchBus,
  canvas: async () => (await import('./canvas')).benchCanvas,
  pool: async () => (await import('./pool')).benchPool,
  runs: async () => (await import('./runs')).benchRuns,
  checkpoints: async () => (await import('./checkpoints')).benchCheckpoints,
  security: async () => (await import('./security')).benchSecurity,
  worktrees: async () => (await import('./worktrees')).benchWorktrees,
};

const wanted = process.argv.slice(2);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
for (const [name, load] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const figures = await (await load())();
  const record = {
    bench: name,
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    figures,
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(record, null, 2));
  console.log(`→ bench/results/${name}.json`);
}
