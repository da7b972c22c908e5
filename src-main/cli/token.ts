/**
 * `orchestration token create | list | revoke`: API tokens for `orchestration serve` and remote SDK
 * clients. The secret is printed once, at creation; the database keeps only its hash.
 */
import { ROLES, type Role } from '../../src-shared/contract';
import {
  type Command,
  DEFAULT_DB,
  EXIT_OK,
  UsageError,
  dbOption,
  jsonOption,
  parse,
  parseDuration,
  printJson,
  reportErrors,
  withEngine,
} from './common';

const HELP = `Usage: orchestration token <create|list|revoke> [options]

  token create --role ROLE [--expires 7d] [--label TEXT]
        Prints the new token once (only its hash is stored). ROLE: admin, developer or observer.
        --expires: 30m, 12h, 7d, 2w … (default: never).
  token list        Every token: id, role, label, expiry, revoked (never the secret).
  token revoke <id>

Options (all subcommands):
  --db PATH   The database (default ./${DEFAULT_DB}).
  --json      Machine output on stdout.
  -h, --help  This text.
`;

const when = (ms: unknown) =>
  typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '—';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'token create|list|revoke  API tokens for serve and remote SDK clients',
  help: HELP,
  async run(argv) {
    const parsed = parse(
      argv,
      HELP,
      {
        ...dbOption,
        ...jsonOption,
        role: { type: 'string' },
        expires: { type: 'string' },
        label: { type: 'string' },
      },
      { min: 1, max: 2 },
    );
    if (!parsed) return EXIT_OK;
    const { values, positionals } = parsed;
    const [sub, arg] = positionals as [string, string | undefined];
    const json = values.json ?? false;
    switch (sub) {
      case 'create': {
        if (arg !== undefined) throw new UsageError(`Unexpected argument "${arg}".`);
        const role = values.role as Role | undefined;
        if (role === undefined || !ROLES.includes(role)) {
          throw new UsageError(`token create needs --role ${ROLES.join('|')}.`);
        }
        const expiresInMs =
          values.expires === undefined ? undefined : parseDuration(values.expires, '--expires');
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const created = await engine.tokens.create({
              role,
              ...(expiresInMs !== undefined ? { expiresInMs } : {}),
              ...(values.label !== undefined ? { label: values.label } : {}),
            });
            if (json) printJson(created);
            else {
              process.stdout.write(`${created.token}\n`);
              process.stderr.write(
                `token ${created.id} (${created.role}), expires ${when(created.expiresAt)}: ` +
                  'shown once; keep it somewhere safe.\n',
              );
            }
            return EXIT_OK;
          }),
        );
      }
      case 'list': {
        if (arg !== undefined) throw new UsageError(`Unexpected argument "${arg}".`);
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const list = await engine.tokens.list();
            if (json) printJson(list);
            else if (list.length === 0) process.stdout.write('no tokens\n');
            else {
              for (const t of list) {
                const state = t.revokedAt ? 'revoked' : `expires ${when(t.expiresAt)}`;
                const label = t.label === null ? '' : `  ${t.label}`;
                process.stdout.write(`${t.id}  ${t.role}  ${state}${label}\n`);
              }
            }
            return EXIT_OK;
          }),
        );
      }
      case 'revoke': {
        if (arg === undefined) throw new UsageError('token revoke needs a token id.');
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            await engine.tokens.revoke(arg);
            if (json) printJson({ revoked: arg });
            else process.stdout.write(`revoked ${arg}\n`);
            return EXIT_OK;
          }),
        );
      }
      default:
        throw new UsageError(`Unknown token subcommand "${sub}" (create, list, revoke).`);
    }
  },
};
