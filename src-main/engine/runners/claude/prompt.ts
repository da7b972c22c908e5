import { ValidationError } from '../../../../src-shared/errors';

const TEXT_FIELDS = ['prompt', 'text', 'instruction'] as const;

/**
 * The user prompt for a message's content: a string as-is; an object's `prompt`, `text` or
 * `instruction` string field (the first present); any other JSON value pretty-printed.
 */
export function contentToPrompt(content: unknown): string {
  if (typeof content === 'string') return requireText(content, content);
  if (content !== null && typeof content === 'object' && !Array.isArray(content)) {
    const record = content as Record<string, unknown>;
    for (const field of TEXT_FIELDS) {
      const value = record[field];
      if (typeof value === 'string' && value.trim() !== '') return value;
    }
  }
  if (content === undefined || content === null) return requireText('', content);
  let json: string | undefined;
  try {
    json = JSON.stringify(content, null, 2);
  } catch {
    json = undefined;
  }
  if (json === undefined) {
    throw new ValidationError(
      'INVALID_INPUT',
      'The message content cannot be written as JSON for the prompt',
      'content',
    );
  }
  return json;
}

function requireText(text: string, value: unknown): string {
  if (text.trim() === '') {
    throw new ValidationError(
      'INVALID_INPUT',
      'The message has no prompt: its content is empty',
      'content',
      value,
    );
  }
  return text;
}
