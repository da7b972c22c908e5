import type { z } from 'zod';
import { ValidationError } from './errors';

type ValidationCode = 'INVALID_INPUT' | 'MISSING_FIELD' | 'INVALID_FORMAT' | 'INVALID_MESSAGE';

export interface ValidateOptions {
  /** A code per top-level field, for fields whose failure has a more specific meaning (e.g. type → INVALID_MESSAGE). */
  codes?: Record<string, ValidationCode>;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)),
    '',
  );
}

/**
 * Parses `value` with `schema`; on failure throws one ValidationError naming the first problem
 * (field, value, plain message) and listing every problem in `details.issues`.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  options: ValidateOptions = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field =
      issue.code === 'unrecognized_keys'
        ? pathOf([...issue.path, issue.keys[0] ?? ''])
        : pathOf(issue.path);
    return { field, code: issue.code, message: issue.message };
  });
  const first = result.error.issues[0]!;
  const firstField = issues[0]!.field;
  const valueAt = first.path.reduce<unknown>(
    (acc, key) =>
      acc && typeof acc === 'object' ? (acc as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
  const missing = first.code === 'invalid_type' && valueAt === undefined;
  const topField = String(first.path[0] ?? '');
  let code: ValidationCode = missing ? 'MISSING_FIELD' : 'INVALID_INPUT';
  if (!missing && options.codes?.[topField]) code = options.codes[topField];
  let message: string;
  if (first.code === 'unrecognized_keys') message = `unknown field "${firstField}"`;
  else if (missing && !first.message.includes('required')) message = `${firstField} is required`;
  else message = first.message;
  const location = firstField ? ` (${firstField})` : '';
  throw new ValidationError(
    code,
    `Invalid ${what}${location}: ${message}`,
    firstField || undefined,
    valueAt,
    {
      details: { issues },
    },
  );
}
