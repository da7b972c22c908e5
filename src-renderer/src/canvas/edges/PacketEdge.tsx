/**
 * An edge that shows live traffic: count and rate in a label, and sampled packets moving along
 * the path with SVG animateMotion (not React Flow's `animated`). The path, the packets and the
 * label are separate memoised parts with their own store selectors: a count update re-renders
 * the label only, a new packet the packets only, and the path re-renders for neither. Packets
 * are drawn in the shared PacketLayer, off the edges' SVG.
 */
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  useInternalNode,
  type EdgeProps,
  type InternalNode,
} from '@xyflow/react';
import { memo, useCallback } from 'react';
import { createPortal } from 'react-dom';
import type { FlowEdge } from '../../editor/graph';
import type { Packet } from '../../live/flow';
import { useLive } from '../../stores/live';
import { floatingEnds, type Rect } from './floating';
import { usePacketLayer } from './PacketLayer';

function rectOf(node: InternalNode | undefined): Rect | null {
  const w = node?.measured.width;
  const h = node?.measured.height;
  if (!node || !w || !h) return null;
  return { ...node.internals.positionAbsolute, width: w, height: h };
}

const PACKET_SECONDS = 0.9;

function start(el: SVGAnimationElement | null): void {
  try {
    el?.beginElement();
  } catch {
    // jsdom/older engines: the packet simply stays put.
  }
}

/** One packet; started once when mounted (a stable ref, so re-renders never restart it). */
const PacketView = memo(function PacketView({ packet, path }: { packet: Packet; path: string }) {
  const ref = useCallback(start, []);
  return (
    <circle r={packet.failed ? 6 : 5} className={packet.failed ? 'packet failed' : 'packet'}>
      <animateMotion
        ref={ref}
        begin="indefinite"
        dur={`${PACKET_SECONDS}s`}
        fill="freeze"
        path={path}
        keyPoints={packet.reverse ? '1;0' : '0;1'}
        keyTimes="0;1"
        calcMode="linear"
      />
    </circle>
  );
});

const NO_PACKETS: readonly Packet[] = [];

/** This edge's packets, drawn in the shared packet layer (see PacketLayer). */
const Packets = memo(function Packets({ id, path }: { id: string; path: string }) {
  const packets = useLive((s) => s.flows[id]?.packets ?? NO_PACKETS);
  const layer = usePacketLayer((s) => s.layer);
  if (!layer || packets.length === 0) return null;
  return createPortal(
    packets.map((p) => <PacketView key={p.id} packet={p} path={path} />),
    layer,
  );
});

const EdgeLabel = memo(function EdgeLabel({ id, x, y }: { id: string; x: number; y: number }) {
  const flow = useLive((s) => s.flows[id]);
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
      <Packets id={id} path={path} />
      <EdgeLabel id={id} x={labelX} y={labelY} />
    </>
  );
}

export const PacketEdgeComponent = memo(PacketEdgeView);
