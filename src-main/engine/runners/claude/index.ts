export { createClaudeRunner, type ClaudeRunnerOptions, type ClaudeRunnerResult } from './runner';
export {
  planDelegations,
  delegateTool,
  DELEGATE_TOOL_NAME,
  type DelegateCall,
  type DelegationPlan,
  type DepartmentInfo,
  type PlanDelegationsOptions,
} from './director';
export {
  resolveClaudeSettings,
  CLAUDE_DEFAULTS,
  readEnv,
  type ClaudeRunnerConfig,
  type EnvSource,
  type ClaudeSettings,
} from './config';
export {
  streamMessage,
  type StreamedMessage,
  type ClaudeUsage,
  type ClaudeToolCall,
} from './stream';
export { contentToPrompt } from './prompt';
