/**
 * Checkpoints record each department worktree's commit and a restore puts the branches back, so
 * the code and the conversation that produced it go back together. A checkpoint may come from a
 * file, so only the commit is taken from it: the branch and folder are this machine's own
 * records for that run and session (a file cannot point a reset at another branch or folder).
 */
import { z } from 'zod';
import type { CheckpointExtension } from '../checkpoints/types';
import type { RunWorkspaces, WorkspaceSnapshot } from './types';

export const WORKTREES_EXTENSION = 'worktrees';

const captured = z.record(
  z.string(),
  z.record(z.string(), z.object({ commit: z.string().regex(/^[0-9a-f]{40,64}$/) }).loose()),
);

type Port = Pick<RunWorkspaces, 'runIds' | 'get' | 'snapshot' | 'restore'>;

export function worktreeCheckpoints(workspaces: Port): CheckpointExtension {
  return {
    name: WORKTREES_EXTENSION,
    async capture() {
      const runs: Record<string, WorkspaceSnapshot> = {};
      for (const runId of workspaces.runIds()) {
        const snap = await workspaces.snapshot(runId);
        if (Object.keys(snap).length > 0) runs[runId] = snap;
      }
      return runs;
    },
    async restore(data) {
      if (data === undefined) return [];
      const parsed = captured.safeParse(data);
      if (!parsed.success)
        return ['The worktree commits in this checkpoint are unreadable; no branch was reset.'];
      const notes: string[] = [];
      for (const [runId, sessions] of Object.entries(parsed.data)) {
        const snap: WorkspaceSnapshot = {};
        for (const [sessionId, { commit }] of Object.entries(sessions)) {
          const ws = workspaces.get(runId, sessionId);
          if (ws?.branch) snap[sessionId] = { branch: ws.branch, commit, path: ws.path };
          else
            notes.push(`Run ${runId}: a department's worktree is gone; its branch was not reset.`);
        }
        if (Object.keys(snap).length === 0) continue;
        try {
          const { savedBranches } = await workspaces.restore(runId, snap);
          for (const b of savedBranches) {
            notes.push(`Work that was not in the checkpoint was kept on branch ${b}.`);
          }
        } catch (error) {
          notes.push(
            `Run ${runId}: the worktrees were not reset: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      return notes;
    },
  };
}
