import { expect } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import type { FileProblem } from '../../src-main/engine/workflows/file';

/** Runs `fn`, expects an OrchestrationError, returns it. */
export function refusal(fn: () => unknown): OrchestrationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OrchestrationError);
    return error as OrchestrationError;
  }
  throw new Error('expected a refusal');
}

export async function refusalOf(promise: Promise<unknown>): Promise<OrchestrationError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestrationError);
  return error as OrchestrationError;
}

export function problemsOf(error: OrchestrationError): FileProblem[] {
  const problems = error.details.problems as FileProblem[] | undefined;
  expect(Array.isArray(problems)).toBe(true);
  return problems!;
}
