import type { Engine } from '../../src-main/engine';
import type { WorkflowDefinition, WorkflowSession } from '../../src-shared/workflow';

let x = 0;
const at = () => ({ x: (x += 10), y: 0 });

export function director(runner: WorkflowSession['runner'] = { kind: 'fan-out' }): WorkflowSession {
  return { id: 'director', type: 'director', name: 'director', runner, position: at() };
}

export function scriptDept(
  id: string,
  source: string,
  extra: Partial<WorkflowSession> = {},
): WorkflowSession {
  return {
    id,
    type: 'department',
    name: id,
    runner: { kind: 'script', source },
    position: at(),
    ...extra,
  };
}

/** A director joined by an edge to every department. */
export function star(
  name: string,
  departments: WorkflowSession[],
  head: WorkflowSession = director(),
): WorkflowDefinition {
  return {
    name,
    sessions: [head, ...departments],
    edges: departments.map((d) => ({ id: `e-${d.id}`, from: head.id, to: d.id })),
  };
}

export async function runToEnd(
  engine: Engine,
  definition: WorkflowDefinition,
  input: unknown,
  timeoutMs = 20_000,
) {
  const workflow = await engine.workflows.create(definition);
  const run = await engine.runs.start(workflow.id, input);
  return engine.runs.wait(run.id, timeoutMs);
}

/** A script department that returns `value` for every message. */
export const returns = (value: unknown) =>
  `async function handle(message, ctx) { return ${JSON.stringify(value)}; }`;
