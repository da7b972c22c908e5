export { runGit, type GitCommandRecord, type GitResult, type RunGitOptions } from './run-git';
export { GitCommandLog, DEFAULT_COMMANDS_PER_RUN, type LoggedGitCommand } from './command-log';
