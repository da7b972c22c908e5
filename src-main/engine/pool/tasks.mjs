/**
 * Tasks built into the worker entry, run by name (`pool.run('echo', x)`). They are imported
 * statically so the bundled worker.js carries them; add a built-in here.
 */
import { runScript } from '../runners/script/sandbox.mjs';

/** Does nothing: the pool's per-task overhead in benchmarks. */
export function noop() {
  return null;
}

/** Returns its payload: a health check that also exercises the payload round trip. */
export function echo(payload) {
  return payload;
}

export const builtinTasks = new Map([
  ['noop', noop],
  ['echo', echo],
  ['script', runScript],
]);
