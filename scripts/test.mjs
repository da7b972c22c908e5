// `npm test`: lint, typecheck, build, unit + integration tests (Vitest), browser tests
// (Playwright in Chromium), then one summary. Every step runs even if an earlier one failed,
// so one run shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Vitest also writes a JSON report, so the summary can name the failed tests: a CI log is
// often read from its tail, far below the failure itself.
const vitestReport = join(mkdtempSync(join(tmpdir(), 'orchestration-test-')), 'vitest.json');
const steps = [
  ['lint', npm, ['run', 'lint']],
  ['typecheck', npm, ['run', 'typecheck']],
  ['build', npm, ['run', 'build']],
  [
    'unit + integration (vitest)',
    npx,
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`],
  ],
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
const failedTests = vitestFailures(vitestReport);
if (failedTests.length) {
  console.log('\nFailed tests (vitest)');
  for (const line of failedTests) console.log(`  ${line}`);
}
console.log(failed.length ? `\n${failed.length} step(s) failed.` : '\nAll steps passed.');
process.exit(failed.length ? 1 : 0);

/** "file › test: first line of the error" for each failed test, or [] if there is no report. */
function vitestFailures(path) {
  if (!existsSync(path)) return [];
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const lines = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.replace(process.cwd() + '/', '');
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of tests) lines.push(`${name} › ${t.fullName}: ${firstLine(t.failureMessages)}`);
    if (file.status === 'failed' && tests.length === 0)
      lines.push(`${name}: ${firstLine([file.message])}`);
  }
  return lines;
}

function firstLine(messages) {
  return String(messages?.[0] ?? '')
    .split('\n')[0]
    .slice(0, 300);
}
