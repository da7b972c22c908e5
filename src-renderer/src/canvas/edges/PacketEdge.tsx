/**
 * An edge that shows live traffic: count and rate in a label, and sampled packets moving along
 * the path (not React Flow's `animated`). The label is a memoised part watching its own edge's
 * entry (useLiveEntry): a count update re-renders the label only, and the path re-renders for none. Packets
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
import type { FlowEdge } from '../../editor/graph';
import type { EdgeFlow } from '../../live/flow';
import { useLiveEntry } from '../../stores/live';
import { floatingEnds, type Rect } from './floating';
import { setEdgePath } from './PacketLayer';

function rectOf(node: InternalNode | undefined): Rect | null {
  const w = node?.measured.width;
  const h = node?.measured.height;
  if (!node || !w || !h) return null;
  return { ...node.internals.positionAbsolute, width: w, height: h };
}

const same = <T,>(f: T) => f;
const isLive = (f: EdgeFlow | undefined) => f !== undefined;
const hasFailed = (f: EdgeFlow | undefined) => (f?.failed ?? 0) > 0;

const EdgeLabel = memo(function EdgeLabel({ id, x, y }: { id: string; x: number; y: number }) {
  const flow = useLiveEntry('flows', id, same);
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
  const live = useLiveEntry('flows', id, isLive);
  const failed = useLiveEntry('flows', id, hasFailed);
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
