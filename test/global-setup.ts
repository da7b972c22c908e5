import { execFileSync } from 'node:child_process';

/** The SDK examples import the bundled SDK (sdk/dist), as a user's project would. */
export default function setup(): void {
  execFileSync(process.execPath, ['sdk/build.mjs'], { stdio: 'inherit' });
}
