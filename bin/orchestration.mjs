#!/usr/bin/env node
/**
 * The `orchestration` command. Runs the built CLI (out/main/cli.js) when it is up to date, else
 * the TypeScript source through tsx (a development checkout), so `npx orchestration` always
 * runs the code you see.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { isStale } from '../scripts/build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
const source = join(root, 'src-main', 'cli.ts');

let entry = built;
if (!existsSync(built) || (existsSync(source) && isStale(root, built))) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    entry = source;
  } catch {
    if (!existsSync(built)) {
      console.error('orchestration: not built and tsx is not installed; run `npm run build`.');
      process.exit(1);
    }
  }
}
const { main } = await import(pathToFileURL(entry).href);
const code = await main(process.argv.slice(2));
if (code !== 'running') process.exitCode = code;
