export { createShellRunner, type ShellRunnerOptions, type ShellRunnerResult } from './runner';
export { parseShellConfig, SHELL_DEFAULTS, type ShellRunnerConfig } from './config';
export { terminateGroup, groupAlive, signalGroup, type TerminateOutcome } from './process-group';
