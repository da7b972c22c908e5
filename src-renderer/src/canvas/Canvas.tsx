/** The React Flow canvas: drop from the palette, connect, select, move, delete; live overlays. */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type Node,
  type NodeTypes,
  type EdgeTypes,
  type Viewport,
} from '@xyflow/react';
import { useCallback, useEffect, useState, type DragEvent } from 'react';
import { SESSION_TYPES, type SessionType } from '../../../src-shared/domain';
import type { SessionNode } from '../editor/graph';
import {
  connect,
  deleteItems,
  moveTo,
  onEdgesChange,
  onNodesChange,
  setViewport,
  useEditor,
} from '../stores/editor';
import { registerFitView } from '../app/actions';
import { useTheme } from '../app/theme';
import { PacketEdgeComponent } from './edges/PacketEdge';
import { PacketLayer } from './edges/PacketLayer';
import { SessionNodeComponent } from './nodes/SessionNode';
import { CanvasEmpty } from './CanvasEmpty';
import { Toolbar } from './Toolbar';

export const DRAG_TYPE = 'application/x-orchestration-session';

/**
 * Below this zoom a node's text and the edges' count labels are too small to read (11px type
 * at 0.45 is 5px), so the canvas drops them (class `zoomed-out`; see canvas.css) and nodes show
 * their status by colour alone. The counts keep counting and show again on zooming in. Drawing
 * that detail cost most of a frame on a large workflow: every count change re-rastered text and
 * shadows all over a software-rastered canvas.
 */
export const DETAIL_ZOOM = 0.45;
const zoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < DETAIL_ZOOM;

const nodeTypes: NodeTypes = { session: SessionNodeComponent };
const edgeTypes: EdgeTypes = { packet: PacketEdgeComponent };
const deleteKeys = ['Delete', 'Backspace'];

const onConnect = (c: Connection) => void connect(c.source, c.target);
const onDelete = ({ nodes, edges }: { nodes: Node[]; edges: Edge[] }) =>
  deleteItems(
    nodes.map((n) => n.id),
    edges.map((e) => e.id),
  );
const onDragStop = (_: unknown, __: Node, nodes: Node[]) =>
  moveTo(new Map(nodes.map((n) => [n.id, n.position])));
const onMoveEnd = (_: unknown, viewport: Viewport) => setViewport(viewport);
const minimapColour = (n: Node) => {
  const type = (n as SessionNode).data.session.type;
  return type === 'director' ? '#7c5cff' : type === 'observer' ? '#8a94a6' : '#1f9d8f';
};

export function Canvas({
  onAdd,
}: {
  onAdd: (type: SessionType, at: { x: number; y: number }) => void;
}) {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const workflowId = useEditor((s) => s.workflowId);
  // Read once per mounted workflow: a saved viewport wins; else fit what is there; else 1:1.
  const [initial] = useState(() => {
    const s = useEditor.getState();
    return { viewport: s.viewport, fit: !s.viewport && s.nodes.length > 0 };
  });
  const theme = useTheme((s) => s.resolved);
  const compact = useStore(zoomedOut);
  const flow = useReactFlow();
  useEffect(() => {
    registerFitView(() => void flow.fitView({ padding: 0.3, maxZoom: 1.2 }));
    return () => registerFitView(null);
  }, [flow]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_TYPE) as SessionType;
      if (!SESSION_TYPES.includes(type)) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onAdd(type, { x: p.x - 100, y: p.y - 36 });
    },
    [flow, onAdd],
  );

  return (
    <div
      className={compact ? 'canvas zoomed-out' : 'canvas'}
      onDragOver={onDragOver}
      onDrop={onDrop}
      aria-label="Workflow canvas"
    >
      <ReactFlow
        key={workflowId ?? 'none'}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onNodeDragStop={onDragStop}
        onMoveEnd={onMoveEnd}
        deleteKeyCode={deleteKeys}
        colorMode={theme}
        defaultViewport={initial.viewport ?? { x: 0, y: 0, zoom: 1 }}
        fitView={initial.fit}
        fitViewOptions={{ maxZoom: 1.2, padding: 0.3 }}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <PacketLayer />
        {nodes.length > 0 && (
          <MiniMap
            pannable
            zoomable
            nodeColor={minimapColour}
            ariaLabel="Minimap"
            style={{ width: 160, height: 110 }}
          />
        )}
        <Controls showInteractive={false} />
        <Toolbar />
      </ReactFlow>
      {nodes.length === 0 && <CanvasEmpty />}
    </div>
  );
}
