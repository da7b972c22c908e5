/** The run-level worktree API: one git worktree per department, on its own branch. */
import type { WorkspaceDiffFile, WorkspaceMergeResult } from '../../../src-shared/contract';
import type { LoggedGitCommand } from '../git';
import type { SpareSettings, SpareStatus } from './spares';

export interface RepositorySettings {
  /** The person's repository (any folder inside it). Never `git init`ed by us. */
  path: string;
  /** The branch departments start from and merge into; default: the branch checked out there. */
  baseBranch?: string;
  /** Where worktrees go; default the OS temp folder. Always below `<root>/orchestration-worktrees/`. */
  worktreeRoot?: string;
  /** 'none': every session works in the repository itself (one-department runs). */
  mode?: 'worktree' | 'none';
  /** Merge here instead of the base branch (created at the base commit when missing). */
  integrationBranch?: string;
}

export interface SessionWorkspace {
  sessionId: string;
  /** The folder the department works in. */
  path: string;
  /** `orchestration/<run>/<session>`; null in 'none' mode (the person's own checkout). */
  branch: string | null;
  baseBranch: string;
  /** The commit every department of the run started from. */
  baseCommit: string;
}

export type MergeResult = WorkspaceMergeResult;
export type DiffFile = WorkspaceDiffFile;

export interface WorkspaceSnapshot {
  [sessionId: string]: { branch: string; commit: string; path: string };
}

export interface DiffStat {
  files: number;
  insertions: number;
  deletions: number;
}

export type GitCommand = LoggedGitCommand;

export interface RunWorkspaces {
  /** Creates every department's worktree in parallel (idempotent: existing ones are reused). */
  prepare(
    runId: string,
    repo: RepositorySettings,
    sessions: Array<{ id: string; name: string }>,
    signal?: AbortSignal,
  ): Promise<Map<string, SessionWorkspace>>;
  get(runId: string, sessionId: string): SessionWorkspace | undefined;
  /** The runs that have workspaces here. */
  runIds(): string[];
  /** Commits the department's work on its own branch; commit null when nothing changed. */
  commitAll(
    runId: string,
    sessionId: string,
    message: string,
  ): Promise<{ commit: string | null; diffStat: DiffStat }>;
  /** The department's branch against the merge-base with its target branch. */
  diff(runId: string, sessionId: string): Promise<DiffFile[]>;
  /** Into the integration branch or the base branch; a conflict is reported, never forced. */
  merge(runId: string, sessionId: string): Promise<MergeResult>;
  /** Removes the department's worktree and branch. */
  discard(runId: string, sessionId: string): Promise<void>;
  /** Removes every worktree and branch of the run (with the run). */
  remove(runId: string): Promise<void>;
  /** Each worktree's HEAD commit (uncommitted work is not committed: restore saves it). */
  snapshot(runId: string): Promise<WorkspaceSnapshot>;
  /** Saves uncommitted or extra work on a side branch, then resets each worktree to the snapshot. */
  restore(runId: string, snap: WorkspaceSnapshot): Promise<{ savedBranches: string[] }>;
  /** The git commands run for the run (or one department), oldest first. */
  commands(runId: string, sessionId?: string): GitCommand[];
  /**
   * Makes `count` ready worktrees of the repository's base branch now (capped by `spares`), so
   * the next prepare() only renames and branches them; 0 ready when spares are off.
   */
  warm(repo: RepositorySettings, count: number): Promise<{ ready: number }>;
  /** The ready worktrees, and those being made or claimed. */
  spareWorktrees(): SpareStatus[];
  /** Removes the ready worktrees (of one repository, or all). */
  dropSpares(repoPath?: string): Promise<void>;
  /** Stops background work (ready worktrees being made); they are swept or reused next time. */
  close(): Promise<void>;
}

export interface RunWorkspacesOptions {
  /** Warnings a person should see (an offline fetch); default console.warn. */
  log?: (level: 'info' | 'warn', text: string, details?: Record<string, unknown>) => void;
  /**
   * Folder for one small JSON manifest per run (run → repository, worktrees, branches), so a new
   * instance after a restart finds the run's worktrees. Absent: kept in memory only.
   */
  stateDir?: string;
  /** Bound of the per-run command log (default 500). */
  commandsPerRun?: number;
  /** Author and committer of the departments' commits and of merge commits. */
  identity?: { name: string; email: string };
  /** Ready worktrees per repository (see docs/worktrees.md); absent: none, every Run checks out. */
  spares?: SpareSettings;
}
