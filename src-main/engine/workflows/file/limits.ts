/**
 * Refusals before parsing: a file over 10 MB, bytes that are not UTF-8, or nesting deeper than
 * 64 levels never reach JSON.parse. The depth scan is one linear pass that skips strings.
 */
import type { FileProblem } from './problems';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_DEPTH = 64;

export type Limited = { text: string } | { problem: FileProblem };

/** Byte length first (cheap), then UTF-8 decoding (fatal on bad bytes), then a BOM is dropped. */
export function decodeFile(input: string | Uint8Array): Limited {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (bytes > MAX_FILE_BYTES) {
    return {
      problem: {
        path: '',
        rule: 'too-large',
        message: `the file is ${bytes} bytes; workflow files are at most ${MAX_FILE_BYTES} bytes (10 MB)`,
      },
    };
  }
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { problem: { path: '', rule: 'not-utf8', message: 'the file is not UTF-8 text' } };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

/** The deepest nesting of `[`/`{` outside strings; stops as soon as `max` is exceeded. */
export function scanDepth(text: string, max = MAX_DEPTH): { depth: number; offset: number } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (depth > max) return { depth, offset: i };
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { depth: deepest, offset: -1 };
}

export function depthProblem(text: string): FileProblem | undefined {
  const { depth, offset } = scanDepth(text);
  if (depth <= MAX_DEPTH) return undefined;
  return {
    path: '',
    rule: 'too-deep',
    message: `values are nested more than ${MAX_DEPTH} levels deep (at character ${offset}); a workflow file never needs that`,
  };
}

/** JSON.parse with the error turned into a problem that names the line and column. */
export function parseJson(text: string): { value: unknown } | { problem: FileProblem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      const column = Number(at[1]) - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    return {
      problem: {
        path: '',
        rule: 'not-json',
        message: `the file is not valid JSON${where}: ${message.replace(/^.*?: /, '')}`,
      },
    };
  }
}
