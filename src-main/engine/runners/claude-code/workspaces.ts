/** The part of engine.workspaces (src-main/engine/workspaces) the claude-code runner uses. */
export interface DiffStat {
  files: number;
  insertions: number;
  deletions: number;
}

export interface WorkspacesPort {
  get(runId: string, sessionId: string): { path: string; branch: string | null } | undefined;
  commitAll(
    runId: string,
    sessionId: string,
    message: string,
  ): Promise<{ commit: string | null; diffStat: DiffStat }>;
  merge(
    runId: string,
    sessionId: string,
  ): Promise<{
    merged: boolean;
    commit?: string;
    fastForward?: boolean;
    conflicts?: string[];
    into: string;
  }>;
}
