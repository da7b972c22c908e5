export {
  ClaudeCodeAgents,
  createClaudeCodeRunner,
  type ClaudeCodeRunnerOptions,
  type ClaudeCodeState,
  type ClaudeCodeTaskResult,
} from './runner';
export {
  PermissionDesk,
  type PermissionAnswer,
  type PermissionOutcome,
  type PermissionRequest,
} from './permissions';
export { resolveClaudeCodeSettings, claudeCodeExecutable, type ClaudeCodeSettings } from './config';
export type { WorkspacesPort, DiffStat } from './workspaces';
export type { AgentTurn, AgentUsage } from './agent';
