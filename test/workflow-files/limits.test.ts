import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_DEPTH, MAX_FILE_BYTES, parseWorkflowFile } from '../../src-main/engine/workflows/file';
import { scanDepth } from '../../src-main/engine/workflows/file/limits';
import { validText } from './bad-files';
import { problemsOf, refusal } from './helpers';

const withSetting = (json: string) =>
  validText().replace('"settings": {', `"settings": {"x": ${json},`);
const nest = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

afterEach(() => vi.restoreAllMocks());

describe('size and depth limits', () => {
  it('refuses a file over 10 MB by its byte length, before JSON.parse runs', () => {
    const big = withSetting(JSON.stringify('x'.repeat(MAX_FILE_BYTES)));
    const parse = vi.spyOn(JSON, 'parse');
    const error = refusal(() => parseWorkflowFile(big));
    expect(parse).not.toHaveBeenCalled();
    expect(error.code).toBe('INVALID_FORMAT');
    expect(problemsOf(error)[0]).toMatchObject({ rule: 'too-large', path: '' });
  });

  it('counts bytes, not characters (multi-byte text and Buffers)', () => {
    // 4 MB characters × 3 bytes each: under the limit in characters, over it in bytes.
    const wide = withSetting(JSON.stringify('€'.repeat(4 * 1024 * 1024)));
    expect(wide.length).toBeLessThan(MAX_FILE_BYTES);
    expect(problemsOf(refusal(() => parseWorkflowFile(wide)))[0]!.rule).toBe('too-large');
    const bytes = Buffer.alloc(MAX_FILE_BYTES + 1, 0x20);
    expect(problemsOf(refusal(() => parseWorkflowFile(bytes)))[0]!.rule).toBe('too-large');
  });

  it('refuses nesting deeper than 64 before JSON.parse runs, and accepts exactly 64', () => {
    // The file object is level 1 and settings level 2: settings.x adds the rest.
    const ok = withSetting(nest(MAX_DEPTH - 2));
    expect(scanDepth(ok).depth).toBe(MAX_DEPTH);
    expect(() => parseWorkflowFile(ok)).not.toThrow();

    const parse = vi.spyOn(JSON, 'parse');
    const error = refusal(() => parseWorkflowFile(withSetting(nest(MAX_DEPTH - 1))));
    expect(parse).not.toHaveBeenCalled();
    expect(error.code).toBe('INVALID_FORMAT');
    expect(problemsOf(error)[0]).toMatchObject({ rule: 'too-deep' });
  });

  it('stops scanning at the first level too deep (100k levels cost nothing)', () => {
    const text = withSetting(nest(100_000));
    const error = refusal(() => parseWorkflowFile(text));
    expect(problemsOf(error)[0]!.rule).toBe('too-deep');
    // It stopped at the first bracket past the limit, not at the end of the 200k-character text.
    const { depth, offset } = scanDepth(text);
    const nested = text.indexOf('['.repeat(MAX_DEPTH));
    expect(depth).toBe(MAX_DEPTH + 1);
    expect(offset).toBeGreaterThan(nested);
    expect(offset).toBeLessThanOrEqual(nested + MAX_DEPTH);
  });

  it('ignores brackets inside strings, including escaped quotes', () => {
    expect(scanDepth('{"a": "[[[[\\"{{{{"}').depth).toBe(1);
    const text = withSetting(JSON.stringify('['.repeat(500)));
    expect(() => parseWorkflowFile(text)).not.toThrow();
  });
});
