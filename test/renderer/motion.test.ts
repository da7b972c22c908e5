import { describe, expect, it } from 'vitest';
import { pathPoints, pointAt, track } from '../../src-renderer/src/canvas/edges/motion';

describe('packet motion along an edge', () => {
  it('samples a bezier from its start to its end', () => {
    const points = pathPoints('M0,0 C0,50 100,50 100,100');
    expect(points[0]).toEqual([0, 0]);
    expect(points.at(-1)).toEqual([100, 100]);
    expect(points.length).toBeGreaterThan(8);
  });

  it('walks by length, so a packet moves at an even speed', () => {
    const t = track('M0,0 L100,0');
    expect(pointAt(t, 0)).toEqual([0, 0]);
    expect(pointAt(t, 0.25)).toEqual([25, 0]);
    expect(pointAt(t, 1)).toEqual([100, 0]);
  });

  it('travels from the end when reversed, and stays on the path outside 0…1', () => {
    const t = track('M0,0 C0,50 100,50 100,100');
    expect(pointAt(t, 0, true)).toEqual([100, 100]);
    expect(pointAt(t, 1, true)).toEqual([0, 0]);
    expect(pointAt(t, 2)).toEqual([100, 100]);
    const mid = pointAt(t, 0.5)!;
    expect(mid[0]).toBeCloseTo(50, 0);
    expect(mid[1]).toBeCloseTo(50, 0);
  });

  it('has no point for a path it cannot read', () => {
    expect(pointAt(track(''), 0.5)).toBeNull();
  });
});
