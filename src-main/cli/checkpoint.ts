/** `orchestration checkpoint list | create <name> | restore <id>`: snapshots of the whole orchestration. */
import type { Checkpoint } from '../engine/checkpoints';
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

const HELP = `Usage: orchestration checkpoint <list|create|restore> [options]

  checkpoint list [--limit N]                    Newest first.
  checkpoint create <name> [--description D] [--tag T]...
  checkpoint restore <id> [--no-keep]            The current state is saved first as an automatic
                                                 checkpoint (restore that one to undo) unless --no-keep.

Options (all subcommands):
  --db PATH   The database (default ./${DEFAULT_DB}).
  --json      Machine output on stdout.
  -h, --help  This text.
`;

const date = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function line(c: Checkpoint): string {
  const kind = c.automatic ? 'auto' : 'named';
  const size = `${(c.sizeBytes / 1024).toFixed(1)} KiB`;
  return `${c.id}  ${date(c.createdAt)}  ${kind.padEnd(5)}  ${size.padStart(10)}  ${c.name}`;
}

export const checkpointCommand: Command = {
  name: 'checkpoint',
  summary: 'checkpoint list|create|restore  Snapshots of the whole orchestration',
  help: HELP,
  async run(argv) {
    const parsed = parse(
      argv,
      HELP,
      {
        ...dbOption,
        ...jsonOption,
        limit: { type: 'string' },
        description: { type: 'string' },
        tag: { type: 'string', multiple: true },
        'no-keep': { type: 'boolean' },
      },
      { min: 1, max: 2 },
    );
    if (!parsed) return EXIT_OK;
    const { values, positionals } = parsed;
    const [sub, arg] = positionals as [string, string | undefined];
    const json = values.json ?? false;
    const needs = (what: string) => {
      if (arg === undefined) throw new UsageError(`checkpoint ${sub} needs ${what}.`);
      return arg;
    };
    switch (sub) {
      case 'list': {
        if (arg !== undefined) throw new UsageError(`Unexpected argument "${arg}".`);
        const limit = values.limit === undefined ? 100 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
          throw new UsageError('--limit must be a whole number 1–10000.');
        }
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const list = await engine.checkpoints.list({ limit });
            if (json) printJson(list);
            else if (list.length === 0) process.stdout.write('no checkpoints\n');
            else process.stdout.write(list.map(line).join('\n') + '\n');
            return EXIT_OK;
          }),
        );
      }
      case 'create': {
        const name = needs('a name');
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const checkpoint = await engine.checkpoints.create({
              name,
              ...(values.description !== undefined ? { description: values.description } : {}),
              ...(values.tag ? { tags: values.tag } : {}),
            });
            if (json) printJson(checkpoint);
            else process.stdout.write(`created ${line(checkpoint)}\n`);
            return EXIT_OK;
          }),
        );
      }
      case 'restore': {
        const id = needs('a checkpoint id');
        return reportErrors(json, () =>
          withEngine(values.db, async (engine) => {
            const result = await engine.checkpoints.restore(id, {
              preserveCurrentState: !values['no-keep'],
            });
            if (json) {
              printJson(result);
              return EXIT_OK;
            }
            const r = result.restored;
            process.stdout.write(
              `restored ${id}: ${r.sessions} sessions, ${r.workflows} workflows, ${r.runs} runs, ` +
                `${r.messages} messages\n`,
            );
            if (result.preRestoreCheckpointId) {
              process.stdout.write(
                `the state before was saved as ${result.preRestoreCheckpointId} (restore it to undo)\n`,
              );
            }
            for (const c of result.conflicts) process.stdout.write(`  ${c.kind}: ${c.detail}\n`);
            for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
            return EXIT_OK;
          }),
        );
      }
      default:
        throw new UsageError(`Unknown checkpoint subcommand "${sub}" (list, create, restore).`);
    }
  },
};
