/**
 * `orchestration run <file>`: validate, import into the database (reusing a stored workflow with
 * the same content), refuse untrusted content unless --trust, start the run, wait, print the result.
 */
import { basename } from 'node:path';
import { OrchestrationError, isOrchestrationError } from '../../src-shared/errors';
import type { Run, Workflow, WorkflowDefinition } from '../../src-shared/workflow';
import type { Engine } from '../engine';
import { trustHash, workflowHash } from '../engine/files';
import {
  checkWorkflowFile,
  contentHash,
  describeWhatItRuns,
  formatWhatItRuns,
} from '../engine/workflows/file';
import {
  type Command,
  DEFAULT_DB,
  EXIT_FAILED,
  EXIT_OK,
  UsageError,
  dbOption,
  jsonOption,
  parse,
  parseDuration,
  printError,
  printJson,
  problemLines,
  readInputFile,
  reportErrors,
  withEngine,
} from './common';
import { showProgress } from './progress';

export const DEFAULT_RUN_TIMEOUT_MS = 600_000;

const HELP = `Usage: orchestration run <file> [--input JSON] [--db PATH] [--trust] [--json] [--timeout MS]
       orchestration run --resume RUN_ID [--db PATH] [--json] [--timeout MS]

Imports a workflow file into the database and runs it once, waiting for the result. With
--resume, carries on an interrupted run instead (one whose process was killed or closed
mid-run, or that a checkpoint restore caught running) and waits for its result.

  - The file is validated first; problems are printed and nothing is stored (exit 1).
  - A stored workflow with the same content is reused (repeated runs do not pile up copies);
    otherwise the file is imported, under "<name> (copy)" if the name is taken (--replace
    replaces the stored workflow of that name instead).
  - A workflow from a file runs only once its content is trusted: without --trust, untrusted
    content is refused with a description of everything it would run; nothing is stored or run
    (exit 1). Trust is remembered per content hash in the database.

Options:
  --input JSON    The run input (JSON). Default: the file's settings.exampleInput, else null.
  --db PATH       The database (default ./${DEFAULT_DB}; created if missing).
  --trust         You checked what the file runs: trust this content and run it.
  --replace       Replace a stored workflow of the same name instead of importing a copy.
  --timeout MS    Give up (cancel the run, exit 1) after this long; 500ms, 30s, 10m… or plain
                  milliseconds. Default 10m.
  --resume RUN_ID Resume this interrupted run (no file): unanswered work is handed out again.
  --json          Print { workflow, run } as JSON on stdout.
  -h, --help      This text.

Exit code: 0 when the run completed; 1 when it failed, was cancelled or timed out, or the file is
invalid or untrusted; 2 on bad usage.
`;

/** --input as JSON ({ value }), or undefined when omitted. */
function parseInput(text: string | undefined): { value: unknown } | undefined {
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
  }
}

/** A stored workflow with the file's content, under its name or a "(copy…)" of it. */
async function sameContent(
  engine: Engine,
  definition: WorkflowDefinition,
): Promise<Workflow | undefined> {
  const name = definition.name;
  for (const workflow of await engine.workflows.list({ limit: 10_000 })) {
    const stored = workflow.definition.name;
    if (stored !== name && !stored.startsWith(`${name} (copy`)) continue;
    if (workflowHash(workflow) === contentHash({ ...definition, name: stored })) return workflow;
  }
  return undefined;
}

function refuse(definition: WorkflowDefinition, hash: string, json: boolean): number {
  const whatItRuns = describeWhatItRuns(definition);
  const error = new OrchestrationError(
    'FORBIDDEN',
    `Workflow "${definition.name}" is not trusted yet; nothing was stored or run. ` +
      'Check what it would run (below), then run again with --trust.',
    { details: { contentHash: hash, whatItRuns } },
  );
  printError(error, json);
  process.stderr.write(`\nIt would run:\n${formatWhatItRuns(whatItRuns)}\n`);
  return EXIT_FAILED;
}

async function execute(engine: Engine, begin: () => Promise<Run>, timeoutMs: number): Promise<Run> {
  let runId: string | undefined;
  const progress = showProgress(engine);
  const interrupt = () => {
    if (runId) void engine.runs.cancel(runId, 'interrupted (SIGINT)').catch(() => undefined);
  };
  process.once('SIGINT', interrupt);
  try {
    const run = await begin();
    runId = run.id;
    try {
      return await engine.runs.wait(run.id, timeoutMs);
    } catch (error) {
      if (!isOrchestrationError(error) || error.code !== 'TASK_TIMEOUT') throw error;
      await engine.runs.cancel(run.id, `timed out after ${timeoutMs} ms`);
      throw error;
    }
  } finally {
    process.off('SIGINT', interrupt);
    progress.stop();
  }
}

function report(run: Run, workflow: Workflow, imported: boolean, json: boolean): number {
  const ok = run.status === 'completed';
  if (json) {
    printJson({
      workflow: { id: workflow.id, name: workflow.definition.name, imported },
      run,
    });
  } else if (ok) {
    process.stdout.write(`${JSON.stringify(run.result, null, 2)}\n`);
  }
  if (!ok) {
    const code = run.status === 'cancelled' ? 'RUN_CANCELLED' : 'RUN_FAILED';
    process.stderr.write(
      `${code}: run ${run.id} ${run.status}: ${run.error ?? 'no reason given'}\n`,
    );
  }
  return ok ? EXIT_OK : EXIT_FAILED;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run <file>                Import a workflow file and run it (--trust to trust it)',
  help: HELP,
  async run(argv) {
    const parsed = parse(
      argv,
      HELP,
      {
        ...dbOption,
        ...jsonOption,
        input: { type: 'string' },
        trust: { type: 'boolean' },
        replace: { type: 'boolean' },
        timeout: { type: 'string' },
        resume: { type: 'string' },
      },
      { min: 0, max: 1 },
    );
    if (!parsed) return EXIT_OK;
    const { values } = parsed;
    const json = values.json ?? false;
    const timeoutMs =
      values.timeout === undefined
        ? DEFAULT_RUN_TIMEOUT_MS
        : parseDuration(values.timeout, '--timeout');
    if (values.resume !== undefined) {
      if (parsed.positionals.length > 0 || values.input !== undefined || values.trust) {
        throw new UsageError('--resume takes a run id only (no file, --input or --trust).');
      }
      const runId = values.resume;
      return reportErrors(json, () => resumeRun(runId, values.db, json, timeoutMs));
    }
    const file = parsed.positionals[0];
    if (file === undefined) throw new UsageError('Missing argument: the workflow file.');

    const input = parseInput(values.input);
    return reportErrors(json, () => runFile(file, { ...values, input }, json, timeoutMs));
  },
};

/** --resume: carries on an interrupted run and waits for it like a fresh one. */
function resumeRun(
  runId: string,
  db: string | undefined,
  json: boolean,
  timeoutMs: number,
): Promise<number> {
  return withEngine(db, async (engine) => {
    const run = await execute(engine, () => engine.runs.resume(runId), timeoutMs);
    const workflow = await engine.workflows.get(run.workflowId);
    if (workflow) return report(run, workflow, false, json);
    // The workflow was deleted since: the run carries its own definition.
    const stub = { id: run.workflowId, definition: { name: '(deleted workflow)' } } as Workflow;
    return report(run, stub, false, json);
  });
}

async function runFile(
  file: string,
  values: { db?: string; input?: { value: unknown }; trust?: boolean; replace?: boolean },
  json: boolean,
  timeoutMs: number,
): Promise<number> {
  const bytes = readInputFile(file);
  const check = checkWorkflowFile(bytes);
  if (!check.ok) {
    printError(
      { code: check.code, message: check.message, details: { problems: check.problems } },
      json,
    );
    process.stderr.write(problemLines(check.problems));
    return EXIT_FAILED;
  }
  const definition = check.workflow;
  const input = values.input ? values.input.value : (definition.settings?.exampleInput ?? null);
  process.stderr.write(problemLines(check.warnings, 'warning: '));

  return withEngine(values.db, async (engine) => {
    const fileHash = trustHash(definition);
    let workflow = await sameContent(engine, definition);
    const trusted = workflow
      ? await engine.files.isTrusted(workflow.id)
      : await engine.files.isContentTrusted(fileHash);
    if (!trusted && !values.trust) return refuse(definition, fileHash, json);

    const by = trusted ? 'cli (same content already trusted)' : 'cli --trust';
    const imported = !workflow;
    if (workflow) {
      if (!trusted) await engine.files.trust(workflow.id, undefined, by);
    } else {
      const result = await engine.files.import(bytes, {
        onNameClash: values.replace ? 'replace' : 'rename',
        trust: true,
        by,
        source: basename(file),
      });
      workflow = result.workflow;
      if (workflow.definition.name !== definition.name && !json) {
        process.stderr.write(
          `note: a different workflow is named "${definition.name}"; imported as "${workflow.definition.name}".\n`,
        );
      }
    }
    const started = workflow;
    const run = await execute(engine, () => engine.runs.start(started.id, input), timeoutMs);
    return report(run, workflow, imported, json);
  });
}
