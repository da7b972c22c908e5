/**
 * The meaning of `messageQueuePath`: a directory where each engine process that serves a queue
 * registers itself (one small JSON file). When a process is killed its file stays behind; the
 * next engine to start on this host sees that its pid is gone and hands that process's leased
 * messages back to the queue at once, instead of waiting for their leases to expire.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

interface InstanceFile {
  owner: string;
  pid: number;
  hostname: string;
  startedAt: number;
}

export interface InstanceRegistration {
  owner: string;
  /** Owners of processes on this host that died without shutting down. */
  deadOwners: string[];
  /** Forget a dead owner once its leases were handed back. */
  forget(owner: string): void;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const fileName = (owner: string) => `instance-${owner.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;

export function registerInstance(dir: string): InstanceRegistration {
  mkdirSync(dir, { recursive: true });
  const host = hostname();
  const owner = `${host}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const deadOwners: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('instance-') || !name.endsWith('.json')) continue;
    try {
      const info = JSON.parse(readFileSync(join(dir, name), 'utf8')) as InstanceFile;
      if (info.hostname === host && !alive(info.pid)) deadOwners.push(info.owner);
    } catch {
      // A half-written file from a process killed mid-write: nothing to recover from it.
      rmSync(join(dir, name), { force: true });
    }
  }
  const file: InstanceFile = { owner, pid: process.pid, hostname: host, startedAt: Date.now() };
  const own = join(dir, fileName(owner));
  writeFileSync(own, JSON.stringify(file));
  // A process that exits without close() did not crash: its file goes, and so a file left behind means a kill.
  const onExit = () => rmSync(own, { force: true });
  process.on('exit', onExit);
  return {
    owner,
    deadOwners,
    forget: (dead) => rmSync(join(dir, fileName(dead)), { force: true }),
    release: () => {
      process.off('exit', onExit);
      onExit();
    },
  };
}
