import type { z } from 'zod';
import { ValidationError } from '../../../src-shared/errors';

/** Parses a session's runner config; a bad one is INVALID_INPUT naming the runner and the field. */
export function parseRunnerConfig<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  runner: string,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? issue.path.join('.') || 'config' : 'config';
  throw new ValidationError(
    'INVALID_INPUT',
    `Invalid ${runner} runner config: ${field}: ${issue?.message ?? 'invalid'}`,
    `config.${field}`,
    undefined,
  );
}
