/**
 * `orchestration <command>`: the entry point (bin/orchestration.mjs and out/main/cli.js). The
 * commands live in cli/, one file each; see cli/index.ts and docs/cli.md.
 */
import { pathToFileURL } from 'node:url';
import { main } from './cli/index';

export { main };

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 'running') process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
