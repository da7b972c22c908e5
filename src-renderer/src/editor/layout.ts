/** Auto layout with elkjs (layered, top to bottom): returns new positions by session id. */
import type { ELK } from 'elkjs/lib/elk-api';
import type { WorkflowDefinition } from '../../../src-shared/workflow';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 72;

let elk: ELK | null = null;

export async function autoLayout(
  doc: WorkflowDefinition,
): Promise<Map<string, { x: number; y: number }>> {
  if (!elk) {
    // elkjs is large: load it on first use so it stays out of the startup bundle.
    const { default: Elk } = await import('elkjs/lib/elk.bundled.js');
    elk = new Elk();
  }
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '48',
      // Unconnected sessions sit side by side in the first layer instead of in a column.
      'elk.separateConnectedComponents': 'false',
      'elk.layered.spacing.nodeNodeBetweenLayers': '96',
    },
    children: doc.sessions.map((s) => ({ id: s.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: doc.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });
  const out = new Map<string, { x: number; y: number }>();
  for (const child of graph.children ?? []) out.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return out;
}
