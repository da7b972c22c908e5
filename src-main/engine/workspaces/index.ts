export { createRunWorkspaces } from './service';
export { worktreeCheckpoints, WORKTREES_EXTENSION } from './checkpoint-extension';
export { warmOnSave } from './warm-on-save';
export type {
  RepositorySettings,
  SessionWorkspace,
  MergeResult,
  DiffFile,
  DiffStat,
  WorkspaceSnapshot,
  RunWorkspaces,
  RunWorkspacesOptions,
  GitCommand,
} from './types';
export type { GitCommandRecord } from '../git';
export type { SpareSettings, SpareStatus } from './spares';
