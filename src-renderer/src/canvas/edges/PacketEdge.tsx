/**
 * An edge that shows live traffic: count and rate in a label, and sampled packets moving along
 * the path (not React Flow's `animated`). The label is a memoised part watching its own edge's
 * entry: a count update rewrites the label's text (useLivePaint) and re-renders nothing. Packets
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
import { paintText, useLiveEntry, useLivePaint } from '../../stores/live';
import { floatingEnds, type Rect } from './floating';
import { setEdgePath } from './PacketLayer';

function rectOf(node: InternalNode | undefined): Rect | null {
  const w = node?.measured.width;
  const h = node?.measured.height;
  if (!node || !w || !h) return null;
  return { ...node.internals.positionAbsolute, width: w, height: h };
}

const isLive = (f: EdgeFlow | undefined) => f !== undefined;
const hasFailed = (f: EdgeFlow | undefined) => (f?.failed ?? 0) > 0;

/** Writes an edge's count, rate and failures into its label (see useLivePaint). */
function paintLabel(el: HTMLDivElement | null, flow: EdgeFlow | undefined): void {
  if (!el || !flow) return;
  const { count, failed: failedCount, rate, lastError } = flow;
  const failed = failedCount > 0;
  const [strong, rateEl, failedEl] = el.children as unknown as [
    HTMLElement,
    HTMLElement,
    HTMLElement,
  ];
  paintText(strong, String(count));
  paintText(rateEl, rate > 0 ? ` · ${rate}/s` : '');
  paintText(failedEl, failed ? ` · ⚠ ${failedCount}` : '');
  el.classList.toggle('failed', failed);
  const label = `${count} messages${failed ? `, ${failedCount} failed` : ''}`;
  if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
  if (lastError === null) el.removeAttribute('title');
  else if (el.title !== lastError) el.title = lastError;
}

/**
 * The label renders once, when its edge first carries traffic; from then on its text is written
 * by paintLabel as the edge's entry changes, without a render.
 */
const EdgeLabel = memo(function EdgeLabel({ id, x, y }: { id: string; x: number; y: number }) {
  const live = useLiveEntry('flows', id, isLive);
  const attach = useLivePaint('flows', id, paintLabel);
  if (!live) return null;
  return (
    <EdgeLabelRenderer>
      <div
        ref={attach}
        className="edge-label"
        style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
        role="status"
        data-testid={`edge-count-${id}`}
      >
        <strong />
        {' msg'}
        <span className="edge-rate" />
        <span className="edge-failed" />
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
