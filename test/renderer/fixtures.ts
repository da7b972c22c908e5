import type { WorkflowDefinition } from '../../src-shared/workflow';

export function sample(): WorkflowDefinition {
  return {
    name: 'Test',
    sessions: [
      {
        id: 'director-1',
        type: 'director',
        name: 'Director',
        runner: { kind: 'fan-out' },
        position: { x: 0, y: 0 },
      },
      {
        id: 'department-1',
        type: 'department',
        name: 'Department 1',
        position: { x: -100, y: 200 },
      },
      {
        id: 'department-2',
        type: 'department',
        name: 'Department 2',
        position: { x: 100, y: 200 },
      },
      { id: 'observer-1', type: 'observer', name: 'Observer 1', position: { x: 300, y: 0 } },
    ],
    edges: [{ id: 'edge-1', from: 'director-1', to: 'department-1' }],
  };
}
