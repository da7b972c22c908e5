/** `orchestration import <file>`: store a workflow file in the database; never runs anything. */
import { basename } from 'node:path';
import { formatWhatItRuns } from '../engine/workflows/file';
import {
  type Command,
  DEFAULT_DB,
  EXIT_OK,
  UsageError,
  dbOption,
  jsonOption,
  parse,
  printJson,
  problemLines,
  readInputFile,
  reportErrors,
  withEngine,
} from './common';

const HELP = `Usage: orchestration import <file> [--db PATH] [--rename|--replace] [--name NAME] [--json]

Validates a workflow file and stores it in the database. Importing never runs anything and never
trusts the workflow: it runs once you trust it ("Trust and run" in the app, or
\`orchestration run <file> --trust\`).

Options:
  --db PATH     The database (default ./${DEFAULT_DB}; created if missing).
  --rename      If the name is taken, import as "<name> (copy)".
  --replace     If the name is taken, replace that workflow (its runs stay as history).
                Without either, a taken name is refused (DUPLICATE_ENTRY, exit 1).
  --name NAME   Store under this name instead of the file's.
  --json        Print { workflow, contentHash, trusted, warnings, whatItRuns, … } on stdout.
  -h, --help    This text.
`;

export const importCommand: Command = {
  name: 'import',
  summary: 'import <file>             Store a workflow file in the database (runs nothing)',
  help: HELP,
  async run(argv) {
    const parsed = parse(
      argv,
      HELP,
      {
        ...dbOption,
        ...jsonOption,
        rename: { type: 'boolean' },
        replace: { type: 'boolean' },
        name: { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    if (!parsed) return EXIT_OK;
    const { values } = parsed;
    if (values.rename && values.replace)
      throw new UsageError('Give --rename or --replace, not both.');
    const file = parsed.positionals[0]!;
    const json = values.json ?? false;
    return reportErrors(json, async () => {
      const bytes = readInputFile(file);
      return withEngine(values.db, async (engine) => {
        const result = await engine.files.import(bytes, {
          onNameClash: values.replace ? 'replace' : values.rename ? 'rename' : 'refuse',
          ...(values.name !== undefined ? { name: values.name } : {}),
          source: basename(file),
        });
        if (json) {
          printJson(result);
          return EXIT_OK;
        }
        const { workflow } = result;
        const how = result.replaced ? 'replaced' : 'imported';
        process.stdout.write(`${how} "${workflow.definition.name}" (${workflow.id})\n`);
        if (result.migratedFrom !== undefined) {
          process.stdout.write(`migrated from file format version ${result.migratedFrom}\n`);
        }
        process.stderr.write(problemLines(result.warnings, 'warning: '));
        if (result.trusted) {
          process.stdout.write('trusted: this content was trusted before\n');
        } else {
          process.stdout.write(
            `not trusted yet (content ${result.contentHash.slice(0, 12)}…); it would run:\n` +
              `${formatWhatItRuns(result.whatItRuns)}\n`,
          );
        }
        return EXIT_OK;
      });
    });
  },
};
