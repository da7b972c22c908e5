/**
 * `orchestration secret set | list | delete`: the API keys the runners use (engine.secrets:
 * the OS keychain in the desktop app, else a file only you can read). A value is read from
 * standard input, never from the command line (shell history and `ps` would show it), and is
 * never printed.
 */
import { ANTHROPIC_API_KEY } from '../engine/security';
import {
  type Command,
  DEFAULT_DB,
  EXIT_OK,
  UsageError,
  dbOption,
  jsonOption,
  parse,
  printJson,
  reportErrors,
  withEngine,
} from './common';

const HELP = `Usage: orchestration secret <set|list|delete> [NAME] [options]

  secret set [NAME]     Stores the value read from standard input (one line; NAME defaults to
                        ${ANTHROPIC_API_KEY}). e.g. \`orchestration secret set < key.txt\`
  secret list           The names stored (never the values).
  secret delete NAME

The claude and claude-code runners use ${ANTHROPIC_API_KEY} when the environment has none.

Options (all subcommands):
  --db PATH   The database the secrets sit beside (default ./${DEFAULT_DB}).
  --json      Machine output on stdout.
  -h, --help  This text.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const secretCommand: Command = {
  name: 'secret',
  summary: 'secret set|list|delete     API keys the runners use (value from stdin)',
  help: HELP,
  async run(argv) {
    const parsed = parse(argv, HELP, { ...dbOption, ...jsonOption }, { min: 1, max: 2 });
    if (!parsed) return EXIT_OK;
    const { values, positionals } = parsed;
    const [sub, name] = positionals as [string, string | undefined];
    const json = values.json ?? false;
    switch (sub) {
      case 'set': {
        if (process.stdin.isTTY) {
          throw new UsageError('secret set reads the value from standard input: pipe it in.');
        }
        const key = name ?? ANTHROPIC_API_KEY;
        return reportErrors(json, async () => {
          const value = await readStdin();
          return withEngine(values.db, async (engine) => {
            await engine.secrets.set(key, value);
            if (json) printJson({ stored: key, where: engine.secrets.kind });
            else process.stdout.write(`stored ${key} (${engine.secrets.kind})\n`);
            return EXIT_OK;
          });
        });
      }
      case 'list': {
        if (name !== undefined) throw new UsageError(`Unexpected argument "${name}".`);
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const names = await engine.secrets.names();
            if (json) printJson(names);
            else process.stdout.write(names.length ? `${names.join('\n')}\n` : 'no secrets\n');
            return EXIT_OK;
          }),
        );
      }
      case 'delete': {
        if (name === undefined) throw new UsageError('secret delete needs a NAME.');
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const deleted = await engine.secrets.delete(name);
            if (json) printJson({ deleted });
            else process.stdout.write(deleted ? `deleted ${name}\n` : `no secret ${name}\n`);
            return EXIT_OK;
          }),
        );
      }
      default:
        throw new UsageError(`Unknown secret subcommand "${sub}" (set, list, delete).`);
    }
  },
};
