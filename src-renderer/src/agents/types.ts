/**
 * Shapes the agent panels show, from the contract (the renderer never imports engine code):
 * a department's diff and merge, the git commands run, and requests waiting for a person.
 */
import type { ParamsOf } from '../../../src-shared/contract';

export type {
  GitCommandEntry as GitCommand,
  PermissionRequest,
  WorkspaceDiffFile as DiffFile,
  WorkspaceMergeResult as MergeResult,
} from '../../../src-shared/contract';

export type DiffHunk = { header: string; lines: string[] };
export type PermissionAnswer = ParamsOf<'permissions.answer'>;
