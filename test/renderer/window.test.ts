import { describe, expect, it } from 'vitest';
import { rowWindow } from '../../src-renderer/src/live/window';

describe('row windowing for the message log', () => {
  it('renders the rows in view plus overscan, with spacers for the rest', () => {
    // 500 rows of 22 px, scrolled to row 100, a 220 px viewport (10 rows), 5 rows overscan.
    const w = rowWindow(500, 22, 2200, 220, 5);
    expect(w).toEqual({ start: 95, end: 116, before: 95 * 22, after: (500 - 116) * 22 });
    expect(w.before + (w.end - w.start) * 22 + w.after).toBe(500 * 22);
  });

  it('clamps at both ends and takes small lists whole', () => {
    expect(rowWindow(8, 22, 0, 220, 20)).toEqual({ start: 0, end: 8, before: 0, after: 0 });
    const end = rowWindow(500, 22, 500 * 22, 220, 5);
    expect(end.end).toBe(500);
    expect(end.after).toBe(0);
    expect(rowWindow(0, 22, 0, 220, 5)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
    expect(rowWindow(50, 22, -40, 0, 0).start).toBe(0);
  });
});
