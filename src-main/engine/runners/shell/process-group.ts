import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const POLL_MS = 20;
/** How long to wait for the kernel (and our own child reaping) after SIGKILL before giving up. */
const AFTER_KILL_MS = 2_000;

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Whether any process of the group led by `pgid` still runs.
 * `kill(-pgid, 0)` fails with ESRCH once the group is empty; EPERM means it exists but is not ours.
 * On Linux a group whose members are all zombies (dead, waiting for a parent that may never reap
 * them, e.g. under a container init that does not reap) counts as gone.
 */
export function groupAlive(pgid: number): boolean {
  if (process.platform === 'win32') return pidAlive(pgid);
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
  return process.platform === 'linux' ? linuxGroupHasLiveMember(pgid) : true;
}

/** Reads /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses. */
function linuxGroupHasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** Sends `signal` to every process in the group; false when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (process.platform === 'win32') {
    // Windows has no process groups to signal: taskkill /T ends the whole tree.
    spawn('taskkill', ['/pid', String(pgid), '/T', '/F'], {
      stdio: 'ignore',
      windowsHide: true,
    }).on('error', () => undefined);
    return true;
  }
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= until) return false;
    await delay(POLL_MS);
  }
  return true;
}

export type TerminateOutcome = 'already-gone' | 'terminated' | 'killed' | 'survived';

/**
 * Ends a whole process group: SIGTERM to `-pgid`, then SIGKILL to `-pgid` if anything is
 * still alive after `graceMs`. Resolves once the group is empty (or reports that it survived,
 * which only happens for processes we may not signal).
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<TerminateOutcome> {
  if (!groupAlive(pgid)) return 'already-gone';
  if (!signalGroup(pgid, 'SIGTERM')) return 'already-gone';
  if (await waitGone(pgid, graceMs)) return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  return (await waitGone(pgid, AFTER_KILL_MS)) ? 'killed' : 'survived';
}
