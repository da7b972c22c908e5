/** The git commands run for each run, newest last, bounded per run (the inspector lists them). */
import type { GitCommandRecord } from './run-git';

export interface LoggedGitCommand extends GitCommandRecord {
  /** The department the command was for; absent for run-level commands (fetch, list). */
  sessionId?: string;
}

export const DEFAULT_COMMANDS_PER_RUN = 500;

export class GitCommandLog {
  private readonly runs = new Map<string, LoggedGitCommand[]>();

  constructor(private readonly perRun = DEFAULT_COMMANDS_PER_RUN) {}

  /** A recorder for runGit's `record` option. */
  recorder(runId: string, sessionId?: string): (entry: GitCommandRecord) => void {
    return (entry) => this.add(runId, sessionId === undefined ? entry : { ...entry, sessionId });
  }

  add(runId: string, entry: LoggedGitCommand): void {
    let list = this.runs.get(runId);
    if (!list) this.runs.set(runId, (list = []));
    list.push(entry);
    // A ring: drop the oldest in one splice once the bound is passed by a tenth, not per entry.
    if (list.length > this.perRun + Math.ceil(this.perRun / 10)) {
      list.splice(0, list.length - this.perRun);
    }
  }

  list(runId: string, sessionId?: string): LoggedGitCommand[] {
    const list = (this.runs.get(runId) ?? []).slice(-this.perRun);
    return sessionId === undefined ? list : list.filter((e) => e.sessionId === sessionId);
  }

  forget(runId: string): void {
    this.runs.delete(runId);
  }
}
