/**
 * An edge that shows live traffic: count and rate in a label, and sampled packets moving along
 * the path (not React Flow's `animated`). The label is a memoised part with its own store
 * selector: a count update re-renders the label only, and the path re-renders for none. Packets
 * are drawn by the PacketLayer canvas, which reads this edge's path from setEdgePath.
 */
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  useInternalNode,
  type EdgeProps,
  type InternalNode,
} from '@xyflow/react';
import { memo, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FlowEdge } from '../../editor/graph';
import { useLive, type LiveState } from '../../stores/live';
import { floatingEnds, type Rect } from './floating';
import { setEdgePath } from './PacketLayer';

function rectOf(node: InternalNode | undefined): Rect | null {
  const w = node?.measured.width;
  const h = node?.measured.height;
  if (!node || !w || !h) return null;
  return { ...node.internals.positionAbsolute, width: w, height: h };
}

/** The label's fields only: a packet setting off or arriving leaves the label alone. */
const labelOf = (id: string) => (s: LiveState) => {
  const f = s.flows[id];
  return f ? { count: f.count, failed: f.failed, rate: f.rate, lastError: f.lastError } : null;
};

const EdgeLabel = memo(function EdgeLabel({ id, x, y }: { id: string; x: number; y: number }) {
  const flow = useLive(useShallow(labelOf(id)));
  if (!flow) return null;
  const { count, failed: failedCount, rate, lastError } = flow;
  const failed = failedCount > 0;
  return (
    <EdgeLabelRenderer>
      <div
        className={`edge-label${failed ? ' failed' : ''}`}
        style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
        role="status"
        aria-label={`${count} messages${failed ? `, ${failedCount} failed` : ''}`}
        title={lastError ?? undefined}
        data-testid={`edge-count-${id}`}
      >
        <strong>{count}</strong> msg
        {rate > 0 && <span className="edge-rate"> · {rate}/s</span>}
        {failed && <span className="edge-failed"> · ⚠ {failedCount}</span>}
      </div>
    </EdgeLabelRenderer>
  );
});

function PacketEdgeView(props: EdgeProps<FlowEdge>) {
  const { id, source, target, selected } = props;
  const live = useLive((s) => s.flows[id] !== undefined);
  const failed = useLive((s) => (s.flows[id]?.failed ?? 0) > 0);
  const a = rectOf(useInternalNode(source));
  const b = rectOf(useInternalNode(target));
  // Floating ends (node border towards the other node); the handles until nodes are measured.
  const ends = a && b ? floatingEnds(a, b) : null;
  const [path, labelX, labelY] = getBezierPath({
    sourceX: ends?.sx ?? props.sourceX,
    sourceY: ends?.sy ?? props.sourceY,
    targetX: ends?.tx ?? props.targetX,
    targetY: ends?.ty ?? props.targetY,
    sourcePosition: ends?.sourcePosition ?? props.sourcePosition,
    targetPosition: ends?.targetPosition ?? props.targetPosition,
  });
  useEffect(() => setEdgePath(id, path), [id, path]);
  useEffect(() => () => setEdgePath(id, null), [id]);
  const cls = [
    'packet-edge',
    failed ? 'failed' : '',
    selected ? 'selected' : '',
    live ? 'live' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} />
      <EdgeLabel id={id} x={labelX} y={labelY} />
    </>
  );
}

export const PacketEdgeComponent = memo(PacketEdgeView);
