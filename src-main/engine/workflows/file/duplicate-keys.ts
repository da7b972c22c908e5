/**
 * Duplicate object keys in the raw JSON text. JSON.parse keeps the last of two equal keys and
 * drops the first without a word, so a file with `"command"` twice would run something its
 * reader did not see. One linear pass over text JSON.parse already accepted (so the grammar is
 * known good), after the size and depth limits; each repeat is a problem at its JSON Pointer.
 */
import { pointer, type FileProblem } from './problems';

interface ObjectFrame {
  kind: 'object';
  keys: Set<string>;
  /** The key whose value is being read (set after `"key":`). */
  key: string | undefined;
  /** Whether the next string is a key (after `{` or `,`). */
  expectKey: boolean;
}
interface ArrayFrame {
  kind: 'array';
  index: number;
}
type Frame = ObjectFrame | ArrayFrame;

/** The JSON string starting at `start` (a quote): its decoded value and the index after it. */
function readString(text: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let plain = true;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) break;
    if (c === 0x5c) {
      plain = false;
      i += 2;
    } else i++;
  }
  const raw = text.slice(start, i + 1);
  return { value: plain ? raw.slice(1, -1) : (JSON.parse(raw) as string), end: i + 1 };
}

function pathOf(stack: readonly Frame[], last: string): string {
  const parts: PropertyKey[] = [];
  for (const frame of stack.slice(0, -1)) {
    parts.push(frame.kind === 'array' ? frame.index : frame.key!);
  }
  parts.push(last);
  return pointer(parts);
}

/** Every repeated key, in document order; [] for text without repeats. `text` must be valid JSON. */
export function duplicateKeyProblems(text: string): FileProblem[] {
  const problems: FileProblem[] = [];
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x22) {
      const { value, end } = readString(text, i);
      if (top?.kind === 'object' && top.expectKey) {
        if (top.keys.has(value)) {
          problems.push({
            path: pathOf(stack, value),
            rule: 'duplicate-key',
            message:
              `the key "${value}" appears more than once in this object; JSON keeps only the ` +
              'last one, so remove the other',
          });
        }
        top.keys.add(value);
        top.key = value;
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === 0x7b)
      stack.push({ kind: 'object', keys: new Set(), key: undefined, expectKey: true });
    else if (c === 0x5b) stack.push({ kind: 'array', index: 0 });
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c && top) {
      if (top.kind === 'array') top.index++;
      else top.expectKey = true;
    }
    i++;
  }
  return problems;
}
