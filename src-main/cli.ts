/**
 * `orchestration <command>`: the headless shell around the engine. Each command is a small
 * function in COMMANDS; add new ones (run, export, import, checkpoint, token …) there.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { isOrchestrationError } from '../src-shared/errors';
import { startServer } from './server';

type Command = (argv: string[]) => Promise<number | 'running'>;

const USAGE = `Usage: orchestration <command> [options]

Commands:
  serve [--port N] [--host H] [--db PATH] [--token T]
        Serve the app (browser mode) and its WebSocket bridge. Prints the URL to open.
        Defaults: port 0 (a free port), host 127.0.0.1, db ./orchestration.db, a random token.
`;

async function serveCommand(argv: string[]): Promise<'running'> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      db: { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be a whole number 0–65535, not "${values.port}".`);
  }
  if (values.token !== undefined && values.token.length < 8) {
    throw new UsageError('--token must be at least 8 characters.');
  }
  const server = await startServer({
    port,
    host: values.host,
    databasePath: values.db,
    token: values.token,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Shutdown after ${signal} failed:`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // Printed only once the signal handlers are in place: whoever reads this line may stop us.
  console.log(`Orchestration Studio: ${server.url}`);
  return 'running';
}

const COMMANDS: Record<string, Command> = { serve: serveCommand };

class UsageError extends Error {}

/** Runs one command; resolves with the exit code, or 'running' for long-lived commands. */
export async function main(argv: string[]): Promise<number | 'running'> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (isOrchestrationError(error)) {
      process.stderr.write(`${error.code}: ${error.message}\n`);
      return 1;
    }
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      process.stderr.write(`${(error as Error).message}: choose another --port (or 0).\n`);
      return 1;
    }
    throw error;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 'running') process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
