/**
 * An edge that shows live traffic: count and rate in a label, and sampled packets moving along
 * the path with SVG animateMotion (not React Flow's `animated`). Re-renders only when its own
 * flow entry changes, at most once per animation frame.
 */
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  useInternalNode,
  type EdgeProps,
  type InternalNode,
} from '@xyflow/react';
import { memo } from 'react';
import type { FlowEdge } from '../../editor/graph';
import type { Packet } from '../../live/flow';
import { useLive } from '../../stores/live';
import { floatingEnds, type Rect } from './floating';

function rectOf(node: InternalNode | undefined): Rect | null {
  const w = node?.measured.width;
  const h = node?.measured.height;
  if (!node || !w || !h) return null;
  return { ...node.internals.positionAbsolute, width: w, height: h };
}

const PACKET_SECONDS = 0.9;

function PacketView({ packet, path }: { packet: Packet; path: string }) {
  return (
    <circle r={packet.failed ? 6 : 5} className={packet.failed ? 'packet failed' : 'packet'}>
      <animateMotion
        ref={(el) => {
          try {
            (el as SVGAnimationElement | null)?.beginElement();
          } catch {
            // jsdom/older engines: the packet simply stays put.
          }
        }}
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
}
const MemoPacket = memo(PacketView);

function PacketEdgeView(props: EdgeProps<FlowEdge>) {
  const { id, source, target, selected } = props;
  const flow = useLive((s) => s.flows[id]);
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
  const failed = (flow?.failed ?? 0) > 0;
  const cls = [
    'packet-edge',
    failed ? 'failed' : '',
    selected ? 'selected' : '',
    flow ? 'live' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} />
      {flow?.packets.map((p) => (
        <MemoPacket key={p.id} packet={p} path={path} />
      ))}
      {flow && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${failed ? ' failed' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            role="status"
            aria-label={`${flow.count} messages${failed ? `, ${flow.failed} failed` : ''}`}
            title={flow.lastError ?? undefined}
            data-testid={`edge-count-${id}`}
          >
            <strong>{flow.count}</strong> msg
            {flow.rate > 0 && <span className="edge-rate"> · {flow.rate}/s</span>}
            {failed && <span className="edge-failed"> · ⚠ {flow.failed}</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const PacketEdgeComponent = memo(PacketEdgeView);
