import { describe, expect, it } from 'vitest';
import {
  canRedo,
  canUndo,
  createHistory,
  record,
  redo,
  undo,
} from '../../src-renderer/src/editor/history';

describe('undo/redo history', () => {
  it('undoes and redoes in order', () => {
    let h = createHistory('a');
    h = record(h, 'b');
    h = record(h, 'c');
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe('b');
    h = undo(h);
    expect(h.present).toBe('a');
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe('b');
    h = redo(h);
    expect(h.present).toBe('c');
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it('a new edit after undo drops the redo stack', () => {
    let h = record(record(createHistory(1), 2), 3);
    h = undo(h);
    h = record(h, 4);
    expect(h.present).toBe(4);
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe(2);
  });

  it('recording the same value is a no-op; the past is bounded', () => {
    const h0 = createHistory({ v: 0 });
    expect(record(h0, h0.present)).toBe(h0);
    let h = createHistory(0);
    for (let i = 1; i <= 10; i++) h = record(h, i, 5);
    expect(h.past).toEqual([5, 6, 7, 8, 9]);
  });
});
