export { createScriptRunner } from './runner';
export type { ScriptRunnerOptions, ScriptSendRequest, ScriptState } from './types';
