/** Turns git's -z name-status, -z numstat and patch outputs into DiffFile records. */
import type { DiffFile } from './types';

interface Entry {
  status: DiffFile['status'];
  path: string;
  oldPath?: string;
}

const STATUS: Record<string, DiffFile['status']> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'added',
  T: 'modified',
};

export function parseNameStatus(z: string): Entry[] {
  const parts = z.split('\0');
  const out: Entry[] = [];
  for (let i = 0; i < parts.length;) {
    const code = parts[i++];
    if (!code) continue;
    const letter = code[0]!;
    if (letter === 'R' || letter === 'C') {
      const oldPath = parts[i++]!;
      const path = parts[i++]!;
      out.push({ status: STATUS[letter]!, path, oldPath });
    } else {
      out.push({ status: STATUS[letter] ?? 'modified', path: parts[i++]! });
    }
  }
  return out;
}

/** numstat -z: "a\tr\tpath\0", or for renames "a\tr\t\0old\0new\0"; "-" counts mean binary. */
export function parseNumstat(
  z: string,
): Array<{ added: number; removed: number; binary: boolean }> {
  const parts = z.split('\0');
  const out: Array<{ added: number; removed: number; binary: boolean }> = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part) continue;
    const [a = '', r = '', path = ''] = part.split('\t');
    if (path === '') i += 2; // a rename: the two paths follow as their own fields
    out.push({ added: Number(a) || 0, removed: Number(r) || 0, binary: a === '-' });
  }
  return out;
}

/** The patch split per file (same order as name-status: both come from one diff queue). */
export function parseHunks(patch: string): Array<DiffFile['hunks']> {
  const files: Array<DiffFile['hunks']> = [];
  let hunks: DiffFile['hunks'] | undefined;
  let current: { header: string; lines: string[] } | undefined;
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      hunks = [];
      current = undefined;
      files.push(hunks);
    } else if (line.startsWith('@@') && hunks) {
      current = { header: line, lines: [] };
      hunks.push(current);
    } else if (current) {
      current.lines.push(line);
    }
  }
  return files;
}

export function toDiffFiles(nameStatus: string, numstat: string, patch: string): DiffFile[] {
  const entries = parseNameStatus(nameStatus);
  const counts = parseNumstat(numstat);
  const hunks = parseHunks(patch);
  return entries.map((entry, i) => {
    const c = counts[i] ?? { added: 0, removed: 0, binary: false };
    const file: DiffFile = {
      path: entry.path,
      status: entry.status,
      added: c.added,
      removed: c.removed,
      hunks: hunks[i] ?? [],
    };
    if (entry.oldPath !== undefined) file.oldPath = entry.oldPath;
    if (c.binary) file.binary = true;
    return file;
  });
}
