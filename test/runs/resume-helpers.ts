import type { WorkflowDefinition, WorkflowSession } from '../../src-shared/workflow';
import { returns, scriptDept, star } from './helpers';

/** A shell department that marks it started, then waits until `dir/gate` exists. */
export function gatedShell(id: string, dir: string): WorkflowSession {
  return {
    id,
    type: 'department',
    name: id,
    workspace: dir,
    runner: {
      kind: 'shell',
      shell: true,
      command: `echo x >> started-${id}; while [ ! -f gate ]; do sleep 0.05; done; echo ${id}-done`,
    },
    limits: { timeoutMs: 120_000 },
    position: { x: 0, y: 0 },
  };
}

/** quick answers at once; slow1 and slow2 wait for the gate. */
export function gatedWorkflow(dir: string): WorkflowDefinition {
  return star('gated', [
    scriptDept('quick', returns({ ok: 1 })),
    gatedShell('slow1', dir),
    gatedShell('slow2', dir),
  ]);
}
