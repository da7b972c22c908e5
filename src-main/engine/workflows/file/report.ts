/**
 * Non-throwing validation for `orchestration validate` and the app's error list, and the plain
 * text both print: one `path: message` line per problem.
 */
import { isOrchestrationError } from '../../../../src-shared/errors';
import { parseWorkflowFile, type ParsedWorkflowFile } from './parse';
import type { FileProblem, FileWarning } from './problems';

export type FileCheck =
  | ({ ok: true } & ParsedWorkflowFile)
  | { ok: false; code: string; message: string; problems: FileProblem[] };

export function checkWorkflowFile(input: string | Uint8Array): FileCheck {
  try {
    return { ok: true, ...parseWorkflowFile(input) };
  } catch (error) {
    if (!isOrchestrationError(error)) throw error;
    const problems = (error.details.problems as FileProblem[] | undefined) ?? [
      { path: '', rule: 'engine-rule', message: error.message },
    ];
    return { ok: false, code: error.code, message: error.message, problems };
  }
}

/** `/sessions/2/runner/command: "command" is required` — one line each, `/` for the whole file. */
export function formatProblems(items: readonly (FileProblem | FileWarning)[]): string {
  return items.map((p) => `${p.path || '/'}: ${p.message}`).join('\n');
}
