/**
 * `orchestration <command>`: the headless shell around the engine. One file per command; each
 * exports a Command (name, summary, --help text, run). Exit codes: 0 ok, 1 failed, 2 bad usage.
 */
import { API_VERSION } from '../../src-shared/domain';
import { isOrchestrationError } from '../../src-shared/errors';
import { checkpointCommand } from './checkpoint';
import {
  type Command,
  type CommandResult,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
} from './common';
import { exportCommand } from './export';
import { importCommand } from './import';
import { runCommand } from './run';
import { secretCommand } from './secret';
import { serveCommand } from './serve';
import { tokenCommand } from './token';
import { validateCommand } from './validate';

export const COMMANDS: readonly Command[] = [
  validateCommand,
  runCommand,
  importCommand,
  exportCommand,
  checkpointCommand,
  tokenCommand,
  secretCommand,
  serveCommand,
];

export const USAGE = `Usage: orchestration <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.summary}`).join('\n')}

Options:
  --version   Print the engine's API version.
  -h, --help  This text; \`orchestration <command> --help\` for a command's options.

Exit codes: 0 success, 1 a failed run or invalid input, 2 bad usage.
`;

function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    ((error as { code?: unknown })?.code as string | undefined)?.startsWith?.('ERR_PARSE_ARGS') ===
      true
  );
}

/** Runs one command; resolves with the exit code, or 'running' for long-lived commands. */
export async function main(argv: string[]): Promise<CommandResult> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${API_VERSION}\n`);
    return EXIT_OK;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name) process.stdout.write(USAGE);
    else process.stderr.write(USAGE);
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (isUsageError(error)) {
      process.stderr.write(`USAGE: ${(error as Error).message}\n\n${command.help}`);
      return EXIT_USAGE;
    }
    if (isOrchestrationError(error)) {
      process.stderr.write(`${error.code}: ${error.message}\n`);
      return EXIT_FAILED;
    }
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      process.stderr.write(
        `EADDRINUSE: ${(error as Error).message}: choose another --port (or 0).\n`,
      );
      return EXIT_FAILED;
    }
    process.stderr.write(`INTERNAL_ERROR: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_FAILED;
  }
}
