/** Pure helpers for the diff viewer: line kinds and numbers, totals, and command display. */
import type { DiffFile, DiffHunk } from './types';

export type LineKind = 'added' | 'removed' | 'context' | 'meta';

export interface NumberedLine {
  kind: LineKind;
  /** The line without its one-character diff marker. */
  text: string;
  /** Line number in the old file (removed/context), else null. */
  oldNo: number | null;
  /** Line number in the new file (added/context), else null. */
  newNo: number | null;
}

export function lineKind(line: string): LineKind {
  switch (line[0]) {
    case '+':
      return 'added';
    case '-':
      return 'removed';
    case '\\':
      return 'meta'; // "\ No newline at end of file"
    default:
      return 'context';
  }
}

const HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Where a hunk starts in the old and new file; null for a header that is not a unified hunk. */
export function hunkStart(header: string): { old: number; new: number } | null {
  const m = HUNK_HEADER.exec(header);
  return m ? { old: Number(m[1]), new: Number(m[2]) } : null;
}

/** A hunk's lines with their kinds and old/new line numbers (counted from the header). */
export function numberLines(hunk: DiffHunk): NumberedLine[] {
  const start = hunkStart(hunk.header);
  let oldNo = start?.old ?? 0;
  let newNo = start?.new ?? 0;
  return hunk.lines.map((line) => {
    const kind = lineKind(line);
    const text = line.slice(1);
    if (!start || kind === 'meta')
      return { kind, text: kind === 'meta' ? line : text, oldNo: null, newNo: null };
    if (kind === 'added') return { kind, text, oldNo: null, newNo: newNo++ };
    if (kind === 'removed') return { kind, text, oldNo: oldNo++, newNo: null };
    return { kind, text, oldNo: oldNo++, newNo: newNo++ };
  });
}

export interface DiffTotals {
  files: number;
  added: number;
  removed: number;
}

export function diffTotals(files: readonly DiffFile[]): DiffTotals {
  let added = 0;
  let removed = 0;
  for (const f of files) {
    added += f.added;
    removed += f.removed;
  }
  return { files: files.length, added, removed };
}

/** "+12 −3" (a true minus sign, so the pair lines up in proportional fonts). */
export function formatCounts(added: number, removed: number): string {
  return `+${added} \u2212${removed}`;
}

/** "3 files, +12 −3"; "No changes" for an empty diff. */
export function describeTotals(t: DiffTotals): string {
  if (t.files === 0) return 'No changes';
  return `${t.files} ${t.files === 1 ? 'file' : 'files'}, ${formatCounts(t.added, t.removed)}`;
}

/** A file's label: renames show where it came from. */
export function fileLabel(f: DiffFile): string {
  return f.status === 'renamed' && f.oldPath ? `${f.oldPath} → ${f.path}` : f.path;
}

const PLAIN_ARG = /^[\w@%+=:,./-]+$/;

/**
 * A git command for reading: `git` and its arguments, quoted where a shell would need it. For
 * display only: git is always called with the argument array, never with this string.
 */
export function commandLine(args: readonly string[]): string {
  const quoted = args.map((a) => (PLAIN_ARG.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  return ['git', ...quoted].join(' ');
}
