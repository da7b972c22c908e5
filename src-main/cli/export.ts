/** `orchestration export <name|id> -o <file>`: a stored workflow as a canonical workflow file. */
import { writeFileSync } from 'node:fs';
import { OrchestrationError } from '../../src-shared/errors';
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

const HELP = `Usage: orchestration export <name|id> -o <file> [--db PATH] [--json]

Writes a stored workflow (by id, or by its exact name) as a workflow file: canonical JSON (stable
key order, 2-space indent, trailing newline), so exporting, importing and exporting again gives
the same bytes. Secrets under secret-looking names (API keys, tokens) are left out and listed.

Options:
  -o, --output FILE  Where to write the file ("-" for stdout).
  --db PATH          The database (default ./${DEFAULT_DB}).
  --json             Print { file, fileName, workflowId, removed } on stdout.
  -h, --help         This text.
`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'export <name|id> -o FILE  Write a stored workflow as a workflow file',
  help: HELP,
  async run(argv) {
    const parsed = parse(
      argv,
      HELP,
      { ...dbOption, ...jsonOption, output: { type: 'string', short: 'o' } },
      { min: 1, max: 1 },
    );
    if (!parsed) return EXIT_OK;
    const { values } = parsed;
    const output = values.output;
    if (output === undefined) throw new UsageError('Missing -o <file> (or -o - for stdout).');
    const json = values.json ?? false;
    if (output === '-' && json) throw new UsageError('-o - and --json both use stdout.');
    return reportErrors(json, () =>
      withEngine(values.db, async (engine) => {
        const result = await engine.files.export(parsed.positionals[0]!);
        if (output === '-') process.stdout.write(result.text);
        else {
          try {
            writeFileSync(output, result.text);
          } catch (cause) {
            throw new OrchestrationError(
              'INVALID_INPUT',
              `Cannot write ${output}: ${(cause as Error).message}`,
              { details: { path: output } },
            );
          }
        }
        for (const path of result.removed) {
          process.stderr.write(`warning: ${path}: a secret was left out of the file\n`);
        }
        if (json) {
          printJson({
            file: output,
            fileName: result.fileName,
            workflowId: result.workflow.id,
            removed: result.removed,
          });
        } else if (output !== '-') {
          process.stdout.write(`exported "${result.workflow.definition.name}" to ${output}\n`);
        }
        return EXIT_OK;
      }),
    );
  },
};
