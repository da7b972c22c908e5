/**
 * What survives a restart: one JSON file per run (repository, branches, folders). A file per run
 * rather than a table: the git side needs no database handle, and a run's worktrees can be found
 * (and cleaned up) by reading one small file; git itself stays the truth about each worktree.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type WorkspaceState = 'active' | 'merged' | 'discarded';

export interface SessionRecord {
  name: string;
  path: string;
  branch: string | null;
  state: WorkspaceState;
}

export interface RunRecord {
  version: 1;
  runId: string;
  repoRoot: string;
  mode: 'worktree' | 'none';
  baseBranch: string;
  baseCommit: string;
  /** The branch merges go into: the integration branch or the base branch. */
  into: string;
  /** The run's folder of worktrees; null in 'none' mode. */
  runDir: string | null;
  sessions: Record<string, SessionRecord>;
}

const fileName = (runId: string) => `${encodeURIComponent(runId)}.json`;

export class ManifestStore {
  constructor(private readonly dir: string | undefined) {}

  loadAll(): RunRecord[] {
    if (!this.dir) return [];
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: RunRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as RunRecord;
        if (record?.version === 1 && typeof record.runId === 'string') out.push(record);
      } catch {
        // A torn or foreign file: skip it; the run's worktrees stay visible in `git worktree list`.
      }
    }
    return out;
  }

  /** Write-then-rename so a crash leaves the old manifest or the new one, never half of one. */
  save(record: RunRecord): void {
    if (!this.dir) return;
    mkdirSync(this.dir, { recursive: true });
    const target = join(this.dir, fileName(record.runId));
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(record, null, 2));
    renameSync(temp, target);
  }

  delete(runId: string): void {
    if (!this.dir) return;
    rmSync(join(this.dir, fileName(runId)), { force: true });
  }
}
