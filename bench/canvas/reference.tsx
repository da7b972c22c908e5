/**
 * The bare React Flow 12 reference page for the canvas bench (ARCHITECTURE.md "Canvas"): the
 * same generated workflow as default nodes, no bridge, no app. Messages are made up in the page
 * at `window.__setRate(n)` a second, round robin over the edges, once per animation frame; each
 * touched edge re-renders once (a memoised edge reading its own count) and starts an SVG
 * animateMotion packet. Bundled with esbuild by bench/canvas/browser.ts (openReference).
 */
import {
  BaseEdge,
  getBezierPath,
  ReactFlow,
  type Edge,
  type EdgeProps,
  type Node,
} from '@xyflow/react';
import { memo, useCallback, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { generateWorkflow } from './workflow';

const params = new URLSearchParams(location.search);
const def = generateWorkflow(Number(params.get('nodes')), Number(params.get('edges')));
const nodes: Node[] = def.sessions.map((s) => ({
  id: s.id,
  position: s.position ?? { x: 0, y: 0 },
  data: { label: s.name },
}));
const edges: Edge[] = def.edges.map((e) => ({
  id: e.id,
  source: e.from,
  target: e.to,
  type: 'packet',
}));

const counts = new Map<string, number>();
const listeners = new Map<string, () => void>();

const PacketEdge = memo(function PacketEdge(props: EdgeProps) {
  const { id } = props;
  const subscribe = useCallback(
    (notify: () => void) => {
      listeners.set(id, notify);
      return () => listeners.delete(id);
    },
    [id],
  );
  const count = useSyncExternalStore(subscribe, () => counts.get(id) ?? 0);
  const [path] = getBezierPath(props);
  const start = useCallback((el: SVGAnimationElement | null) => el?.beginElement(), []);
  return (
    <>
      <BaseEdge id={id} path={path} />
      {count > 0 && (
        <circle key={count} r={5} fill="#5b5bd6">
          <animateMotion ref={start} begin="indefinite" dur="0.9s" fill="freeze" path={path} />
        </circle>
      )}
    </>
  );
});

const edgeTypes = { packet: PacketEdge };
let rate = 0;
let next = 0;
let carry = 0;
let last = performance.now();
const total = { sent: 0 };
Object.assign(window, { __setRate: (n: number) => (rate = n), __reference: total });

function tick(now: number) {
  carry += (rate * Math.min(now - last, 100)) / 1000;
  last = now;
  const touched = new Set<string>();
  for (; carry >= 1; carry--) {
    const id = edges[next++ % edges.length]!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    touched.add(id);
    total.sent++;
  }
  for (const id of touched) listeners.get(id)?.();
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

createRoot(document.getElementById('root')!).render(
  <ReactFlow
    nodes={nodes}
    edges={edges}
    edgeTypes={edgeTypes}
    fitView
    minZoom={0.1}
    proOptions={{ hideAttribution: true }}
  />,
);
