/** The engine calls behind the agent panels: a department's worktree and the person's requests. */
import { api } from '../api';
import type { PermissionAnswer } from './types';

export interface DepartmentRef {
  runId: string;
  /** The department's engine session (the workflow session id works too). */
  sessionId: string;
}

export const workspaceDiff = (ref: DepartmentRef) => api().call('workspaces.diff', ref);
export const workspaceMerge = (ref: DepartmentRef) => api().call('workspaces.merge', ref);
export const workspaceDiscard = (ref: DepartmentRef) => api().call('workspaces.discard', ref);
export const workspaceCommands = (ref: DepartmentRef) => api().call('workspaces.commands', ref);

export const listPermissions = (runId?: string) =>
  api().call('permissions.list', runId ? { runId } : {});
export const answerPermission = (answer: PermissionAnswer) =>
  api().call('permissions.answer', answer);
