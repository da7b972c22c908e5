/**
 * What every `orchestration` command shares: argument parsing with `--help`, the exit codes,
 * `CODE: message` errors on stderr, `--json` output on stdout, and opening the engine.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OrchestrationError, isOrchestrationError } from '../../src-shared/errors';
import type { Engine } from '../engine';

/** 0 success; 1 a failed run or invalid input; 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export type CommandResult = number | 'running';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  run(argv: string[]): Promise<CommandResult>;
}

/** Bad usage (unknown option, missing argument, malformed value): exit code 2 with the help text. */
export class UsageError extends Error {}

/** The database every command uses when --db is omitted (relative to the working directory). */
export const DEFAULT_DB = 'orchestration.db';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs (strict) plus `--help`/`-h`; returns undefined when help was printed. */
export function parse<O extends Options>(
  argv: string[],
  help: string,
  options: O,
  positionals: { min: number; max: number },
) {
  const parsed = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: positionals.max > 0,
    strict: true,
  });
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return undefined;
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError('Missing argument.');
  if (count > positionals.max) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[positionals.max]}".`);
  }
  return parsed;
}

export const dbOption = { db: { type: 'string' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;

/** Opens the engine on `db` (default ./orchestration.db), runs `fn`, always closes it. */
export async function withEngine<T>(
  db: string | undefined,
  fn: (engine: Engine) => Promise<T>,
): Promise<T> {
  const { createEngine } = await import('../engine');
  const engine = await createEngine({ databasePath: resolve(db ?? DEFAULT_DB) });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** A file's bytes; a missing or unreadable file is INVALID_INPUT (exit 1), not a stack trace. */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause);
    throw new OrchestrationError('INVALID_INPUT', `Cannot read ${path}: ${reason}.`, {
      details: { path },
    });
  }
}

/** A message on one line, whatever newlines it carries (a quoted bit of a broken file…). */
export const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** `path: message`, one line per problem or warning. */
export function problemLines(
  items: readonly { path?: string; message: string }[],
  prefix = '',
): string {
  return items.map((p) => `${prefix}${p.path || '/'}: ${oneLine(p.message)}\n`).join('');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `CODE: message` on stderr; with --json also `{ "error": … }` on stdout, so stdout always parses. */
export function printError(
  error: { code: string; message: string; details?: Record<string, unknown> },
  json = false,
): void {
  process.stderr.write(`${error.code}: ${oneLine(error.message)}\n`);
  if (json) {
    printJson({
      error: { code: error.code, message: error.message, details: error.details ?? {} },
    });
  }
}

/** Runs a command body; an OrchestrationError becomes `CODE: message` and exit code 1. */
export async function reportErrors(json: boolean, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!isOrchestrationError(error)) throw error;
    printError(error, json);
    return EXIT_FAILED;
  }
}

/** `7d`, `12h`, `30m`, `45s`, `500ms` or plain milliseconds → ms; UsageError otherwise. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${option} must be a duration like 7d, 12h, 30m or 500ms.`);
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[match[2] ?? 'ms']!;
  const ms = Number(match[1]) * unit;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`${option} must be a positive duration.`);
  }
  return ms;
}
