/** `orchestration serve`: the app in browser mode plus its WebSocket bridge, until SIGINT/SIGTERM. */
import { type Command, DEFAULT_DB, EXIT_OK, UsageError, parse } from './common';

const HELP = `Usage: orchestration serve [--port N] [--host H] [--db PATH] [--token T]

Serves the app (browser mode) and its WebSocket bridge; prints the URL to open (it carries the
token). Runs until SIGINT or SIGTERM.

Options:
  -p, --port N   Port (default 0: a free port).
  --host H       Interface to bind (default 127.0.0.1).
  --db PATH      The database (default ./${DEFAULT_DB}).
  --token T      The admin token (at least 8 characters; default: a random one).
  -h, --help     This text.
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve                     Serve the app (browser mode) and its WebSocket bridge',
  help: HELP,
  async run(argv) {
    const parsed = parse(
      argv,
      HELP,
      {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        db: { type: 'string' },
        token: { type: 'string' },
      },
      { min: 0, max: 0 },
    );
    if (!parsed) return EXIT_OK;
    const { values } = parsed;
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new UsageError(`--port must be a whole number 0–65535, not "${values.port}".`);
    }
    if (values.token !== undefined && values.token.length < 8) {
      throw new UsageError('--token must be at least 8 characters.');
    }
    const { startServer } = await import('../server');
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
  },
};
