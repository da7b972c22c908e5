// `npm test`: lint, typecheck, build, unit + integration tests (Vitest), browser tests
// (Playwright in Chromium), then one summary. Every step runs even if an earlier one failed,
// so one run shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const steps = [
  ['lint', npm, ['run', 'lint']],
  ['typecheck', npm, ['run', 'typecheck']],
  ['build', npm, ['run', 'build']],
  ['unit + integration (vitest)', npx, ['vitest', 'run']],
];
if (existsSync('playwright.config.ts'))
  steps.push(['browser (playwright)', npx, ['playwright', 'test']]);

const results = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const run = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  results.push({ name, ok: run.status === 0, seconds: (Date.now() - started) / 1000 });
}

console.log('\nSummary');
for (const r of results)
  console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok);
console.log(failed.length ? `\n${failed.length} step(s) failed.` : '\nAll steps passed.');
process.exit(failed.length ? 1 : 0);
