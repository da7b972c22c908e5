/** `orchestration validate <file>…`: every problem with its JSON path; opens no database. */
import { checkWorkflowFile } from '../engine/workflows/file';
import { isOrchestrationError } from '../../src-shared/errors';
import {
  type Command,
  EXIT_FAILED,
  EXIT_OK,
  jsonOption,
  oneLine,
  parse,
  problemLines,
  printJson,
  readInputFile,
} from './common';

const HELP = `Usage: orchestration validate <file>... [--json]

Checks workflow files (.orchestration.json) without storing or running anything. Prints every
problem as "path: message" (a JSON Pointer into the file) and exits 1, or prints "valid" and
exits 0. Older file versions are migrated in memory and reported as a warning.

Options:
  --json     One JSON object per file on stdout (an array for several files).
  -h, --help This text.
`;

interface Report {
  file: string;
  ok: boolean;
  code?: string;
  message?: string;
  problems?: { path: string; rule: string; message: string }[];
  warnings?: { path?: string; message: string }[];
  migratedFrom?: number;
}

function check(file: string): Report {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file);
  } catch (error) {
    if (!isOrchestrationError(error)) throw error;
    return { file, ok: false, code: error.code, message: error.message, problems: [] };
  }
  const result = checkWorkflowFile(bytes);
  if (!result.ok) {
    return {
      file,
      ok: false,
      code: result.code,
      message: result.message,
      problems: result.problems,
    };
  }
  const report: Report = { file, ok: true, warnings: result.warnings };
  if (result.migratedFrom !== undefined) report.migratedFrom = result.migratedFrom;
  return report;
}

function printText(report: Report, several: boolean): void {
  const indent = several ? '  ' : '';
  const lines = (items: readonly { path?: string; message: string }[], prefix = '') =>
    problemLines(items, `${indent}${prefix}`);
  if (report.ok) {
    process.stdout.write(several ? `${report.file}: valid\n` : 'valid\n');
    if (report.warnings?.length) process.stderr.write(lines(report.warnings, 'warning: '));
    return;
  }
  const head = `${report.code}: ${oneLine(report.message ?? '')}`;
  process.stderr.write(several ? `${report.file}: ${head}\n` : `${head}\n`);
  process.stderr.write(lines(report.problems ?? []));
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate <file>...        Check workflow files; print every problem with its path',
  help: HELP,
  async run(argv) {
    const parsed = parse(argv, HELP, { ...jsonOption }, { min: 1, max: 1_000 });
    if (!parsed) return EXIT_OK;
    const files = parsed.positionals;
    const reports = files.map(check);
    if (parsed.values.json) {
      printJson(files.length === 1 ? reports[0] : reports);
      for (const r of reports.filter((x) => !x.ok)) {
        process.stderr.write(`${r.code}: ${r.file}: ${oneLine(r.message ?? '')}\n`);
      }
    } else for (const report of reports) printText(report, files.length > 1);
    return reports.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
  },
};
