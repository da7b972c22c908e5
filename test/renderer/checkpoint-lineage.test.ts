import { describe, expect, it } from 'vitest';
import type { CheckpointInfo } from '../../src-shared/contract';
import { restoredPoint } from '../../src-renderer/src/stores/checkpoints';
import { valueAtPointer } from '../../src-renderer/src/stores/files';

const cp = (
  id: string,
  createdAt: number,
  extra: Partial<CheckpointInfo> = {},
): CheckpointInfo => ({
  id,
  name: id,
  description: null,
  tags: [],
  createdAt,
  automatic: false,
  parentId: null,
  runId: null,
  sizeBytes: 1,
  rawSizeBytes: 1,
  checksum: 'x',
  schemaVersion: 1,
  codec: 'brotli',
  summary: {},
  ...extra,
});
const pre = (id: string, createdAt: number, restored: string) =>
  cp(id, createdAt, {
    automatic: true,
    tags: ['auto', 'pre-restore'],
    description: `The state just before checkpoint ${restored} was restored; restore this to undo.`,
  });

describe('restoredPoint: which history a restored checkpoint has seen', () => {
  // A at 10; restore A at 30 (P); C taken at 50 on the restored timeline; undo (restore P) at 60.
  const a = cp('A', 10);
  const p = pre('P', 30, 'A');
  const c = cp('C', 50);
  const p2 = pre('P2', 60, 'P');
  const list = [p2, c, p, a];

  it('a plain checkpoint has no abandoned windows', () => {
    expect(restoredPoint(a, list)).toEqual({ at: 10, abandoned: [] });
  });
  it('undoing a restore (the pre-restore checkpoint) keeps the undone timeline', () => {
    expect(restoredPoint(p, list)).toEqual({ at: 30, abandoned: [] });
  });
  it('a checkpoint after a restore does not see the timeline that restore abandoned', () => {
    expect(restoredPoint(c, list)).toEqual({ at: 50, abandoned: [[10, 30]] });
  });
});

describe('valueAtPointer', () => {
  const doc = { sessions: [{ id: 'a', 'x/y': { '~': 1 } }] };
  it('follows RFC 6901 pointers, with escapes', () => {
    expect(valueAtPointer(doc, '')).toBe(doc);
    expect(valueAtPointer(doc, '/sessions/0/id')).toBe('a');
    expect(valueAtPointer(doc, '/sessions/0/x~1y/~0')).toBe(1);
    expect(valueAtPointer(doc, '/sessions/3/id')).toBeUndefined();
  });
});
