/**
 * Where a packet is along its edge: the edge's bezier sampled into short straight steps, walked
 * by length (an even speed, as SVG animateMotion moves).
 */

export type Point = readonly [number, number];

export interface Track {
  points: readonly Point[];
  /** Length from the start to each point; the last is the whole length. */
  lengths: readonly number[];
}

const STEPS = 12;

/** Points along an `M x,y C x,y x,y x,y` (React Flow's bezier) or `M x,y L x,y` path. */
export function pathPoints(path: string, steps = STEPS): Point[] {
  const n = (path.match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi) ?? []).map(Number);
  if (n.length === 8) {
    type Eight = [number, number, number, number, number, number, number, number];
    const [x0, y0, x1, y1, x2, y2, x3, y3] = n as Eight;
    const out: Point[] = [];
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      const u = 1 - t;
      const a = u * u * u;
      const b = 3 * u * u * t;
      const c = 3 * u * t * t;
      const d = t * t * t;
      out.push([a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3]);
    }
    return out;
  }
  if (n.length >= 4) {
    return [
      [n[0]!, n[1]!],
      [n[n.length - 2]!, n[n.length - 1]!],
    ];
  }
  return [];
}

export function track(path: string): Track {
  const points = pathPoints(path);
  const lengths = points.length ? [0] : [];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    lengths.push(lengths[i - 1]! + Math.hypot(x1 - x0, y1 - y0));
  }
  return { points, lengths };
}

/** The point `progress` (0…1) of the way along `t`, from its end when `reverse`. */
export function pointAt(t: Track, progress: number, reverse = false): Point | null {
  const { points, lengths } = t;
  if (points.length === 0) return null;
  const q = Math.min(1, Math.max(0, reverse ? 1 - progress : progress));
  const want = q * lengths[lengths.length - 1]!;
  let i = 1;
  while (i < points.length - 1 && lengths[i]! < want) i++;
  if (points.length === 1) return points[0]!;
  const span = lengths[i]! - lengths[i - 1]!;
  const f = span > 0 ? (want - lengths[i - 1]!) / span : 0;
  const [x0, y0] = points[i - 1]!;
  const [x1, y1] = points[i]!;
  return [x0 + (x1 - x0) * f, y0 + (y1 - y0) * f];
}
