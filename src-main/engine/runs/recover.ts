import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether the engine instance that owned a run is gone: no owner recorded, a process start-up
 * found dead, or no registration file left in the queue directory (see instance-registry.ts,
 * whose file naming this mirrors).
 */
export function ownerIsDead(
  queuePath: string,
  self: string,
  deadOwners: readonly string[],
): (owner: string | null) => boolean {
  return (owner) => {
    if (owner === null || deadOwners.includes(owner)) return true;
    if (owner === self) return false;
    const file = `instance-${owner.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
    return !existsSync(join(queuePath, file));
  };
}
