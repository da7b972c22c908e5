export { createRunWorkspaces } from './service';
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
