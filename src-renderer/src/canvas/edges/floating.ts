/**
 * Floating edge ends: the sides of the two nodes that face each other (found where the line
 * between their centres leaves each rectangle), joined at those sides' middles. Edges then look
 * right in any layout (top-down or left-to-right), whatever handle the connection was drawn from.
 */
import { Position } from '@xyflow/react';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Ends {
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  sourcePosition: Position;
  targetPosition: Position;
}

/** The point where the segment from `node`'s centre towards `other`'s centre crosses its border. */
export function borderPoint(node: Rect, other: Rect): { x: number; y: number } {
  const w = node.width / 2;
  const h = node.height / 2;
  const cx = node.x + w;
  const cy = node.y + h;
  const dx = other.x + other.width / 2 - cx;
  const dy = other.y + other.height / 2 - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  // Scale the direction so that it just touches the rectangle's border.
  const scale = 1 / Math.max(Math.abs(dx) / w, Math.abs(dy) / h);
  return { x: cx + dx * scale, y: cy + dy * scale };
}

/** Which side of `node` a border point lies on. */
export function sideOf(node: Rect, p: { x: number; y: number }): Position {
  const eps = 1;
  if (p.x <= node.x + eps) return Position.Left;
  if (p.x >= node.x + node.width - eps) return Position.Right;
  if (p.y <= node.y + eps) return Position.Top;
  return Position.Bottom;
}

/** The middle of a node's side: where its handle sits (top/bottom) or would (left/right). */
export function sideMiddle(node: Rect, side: Position): { x: number; y: number } {
  const cx = node.x + node.width / 2;
  const cy = node.y + node.height / 2;
  if (side === Position.Top) return { x: cx, y: node.y };
  if (side === Position.Bottom) return { x: cx, y: node.y + node.height };
  if (side === Position.Left) return { x: node.x, y: cy };
  return { x: node.x + node.width, y: cy };
}

/** Ends on the middles of the sides that face each other. */
export function floatingEnds(source: Rect, target: Rect): Ends {
  const sourcePosition = sideOf(source, borderPoint(source, target));
  const targetPosition = sideOf(target, borderPoint(target, source));
  const s = sideMiddle(source, sourcePosition);
  const t = sideMiddle(target, targetPosition);
  return { sx: s.x, sy: s.y, tx: t.x, ty: t.y, sourcePosition, targetPosition };
}
