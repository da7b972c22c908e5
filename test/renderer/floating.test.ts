import { Position } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { borderPoint, floatingEnds } from '../../src-renderer/src/canvas/edges/floating';

const box = (x: number, y: number) => ({ x, y, width: 200, height: 80 });

describe('floating edge ends', () => {
  it('leaves from the bottom and enters at the top in a top-down layout', () => {
    const ends = floatingEnds(box(0, 0), box(0, 300));
    expect(ends).toMatchObject({ sx: 100, sy: 80, tx: 100, ty: 300 });
    expect(ends.sourcePosition).toBe(Position.Bottom);
    expect(ends.targetPosition).toBe(Position.Top);
  });

  it('leaves from the side in a left-to-right layout', () => {
    const ends = floatingEnds(box(0, 0), box(400, 0));
    expect(ends).toMatchObject({ sx: 200, sy: 40, tx: 400, ty: 40 });
    expect(ends.sourcePosition).toBe(Position.Right);
    expect(ends.targetPosition).toBe(Position.Left);
  });

  it('finds the border point for diagonal neighbours and joins at side middles', () => {
    const p = borderPoint(box(0, 0), box(300, 300));
    expect(p.y).toBeCloseTo(80);
    expect(p.x).toBeGreaterThan(100);
    expect(borderPoint(box(0, 0), box(0, 0))).toEqual({ x: 100, y: 40 });
    expect(floatingEnds(box(0, 0), box(300, 300))).toMatchObject({
      sx: 100,
      sy: 80,
      tx: 400,
      ty: 300,
    });
  });
});
