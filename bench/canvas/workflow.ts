/**
 * Generates a large workflow for the canvas bench: one director on top, departments (manual, so a
 * run's sessions stay alive without doing work) in a grid below, an edge from the director to
 * every department, and department ↔ department edges (they carry HEARTBEAT, ERROR and
 * ACKNOWLEDGMENT) until the edge count is reached.
 */
import type { WorkflowDefinition, WorkflowEdge } from '../../src-shared/workflow';

const COLUMNS = 40;

export function generateWorkflow(nodes: number, edges: number): WorkflowDefinition {
  const departments = nodes - 1;
  if (edges < departments) throw new Error(`need at least ${departments} edges for ${nodes} nodes`);
  const sessions: WorkflowDefinition['sessions'] = [
    {
      id: 'director',
      type: 'director',
      name: 'Director',
      runner: { kind: 'fan-out' },
      position: { x: (COLUMNS * 260) / 2, y: 0 },
    },
  ];
  const list: WorkflowEdge[] = [];
  for (let i = 0; i < departments; i++) {
    sessions.push({
      id: `d${i}`,
      type: 'department',
      name: `Department ${i}`,
      runner: { kind: 'manual' },
      position: { x: (i % COLUMNS) * 260, y: 240 + Math.floor(i / COLUMNS) * 160 },
    });
    list.push({ id: `e-d${i}`, from: 'director', to: `d${i}` });
  }
  // Department pairs: neighbours in the grid first (i → i+1), then the row below (i → i+COLUMNS).
  for (const step of [1, COLUMNS, 2]) {
    for (let i = 0; i + step < departments && list.length < edges; i++) {
      list.push({ id: `e-d${i}-d${i + step}`, from: `d${i}`, to: `d${i + step}` });
    }
  }
  if (list.length < edges) throw new Error(`could only make ${list.length} edges`);
  return { name: `Bench ${nodes} nodes / ${edges} edges`, sessions, edges: list };
}
