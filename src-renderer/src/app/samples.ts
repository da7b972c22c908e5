/** Sample workflows one click away: a built-in starter plus the shipped resources/examples. */
import { workflowDefinitionSchema, type WorkflowDefinition } from '../../../src-shared/workflow';

const files = import.meta.glob('../../../resources/examples/*.json', {
  eager: true,
  import: 'default',
}) as Record<string, unknown>;

const script = (label: string) =>
  `async function handle(message, ctx) {\n  ctx.log('${label} got ' + JSON.stringify(message.content));\n  return { ok: true, by: ctx.session.name };\n}`;

export const STARTER: WorkflowDefinition = {
  name: 'Starter: director and two departments',
  description: 'A fan-out director sends the run input to two script departments.',
  sessions: [
    {
      id: 'director',
      type: 'director',
      name: 'Director',
      runner: { kind: 'fan-out' },
      position: { x: 200, y: 40 },
    },
    {
      id: 'research',
      type: 'department',
      name: 'Research',
      runner: { kind: 'script', source: script('research') },
      position: { x: 40, y: 220 },
    },
    {
      id: 'writing',
      type: 'department',
      name: 'Writing',
      runner: { kind: 'script', source: script('writing') },
      position: { x: 360, y: 220 },
    },
  ],
  edges: [
    { id: 'edge-1', from: 'director', to: 'research' },
    { id: 'edge-2', from: 'director', to: 'writing' },
  ],
};

/** Claude Code agents: a director that splits the job, departments that each work on a branch. */
export const CLAUDE_CODE_TEAM: WorkflowDefinition = {
  name: 'Claude Code team',
  description:
    'A Claude Code director splits the job between two Claude Code departments; each works in its own git worktree and branch. Set the repository (click the canvas background) before running.',
  sessions: [
    {
      id: 'director',
      type: 'director',
      name: 'Lead',
      runner: {
        kind: 'claude-code',
        permissionMode: 'default',
        maxTurns: 40,
        appendSystemPrompt:
          'You lead a team. Split the task, send each department its part, wait for their reports, review their changes and request the merges.',
      },
      position: { x: 220, y: 40 },
    },
    {
      id: 'implementation',
      type: 'department',
      name: 'Implementation',
      runner: {
        kind: 'claude-code',
        permissionMode: 'acceptEdits',
        allowedTools: ['Read', 'Grep', 'Glob'],
        maxTurns: 30,
        maxBudgetUsd: 2,
      },
      position: { x: 40, y: 240 },
    },
    {
      id: 'tests',
      type: 'department',
      name: 'Tests',
      runner: {
        kind: 'claude-code',
        permissionMode: 'acceptEdits',
        allowedTools: ['Read', 'Grep', 'Glob'],
        maxTurns: 30,
        maxBudgetUsd: 2,
      },
      position: { x: 400, y: 240 },
    },
  ],
  edges: [
    { id: 'edge-1', from: 'director', to: 'implementation' },
    { id: 'edge-2', from: 'director', to: 'tests' },
  ],
};

/** A shipped file may be a bare definition or an export envelope holding one. */
function definitionOf(raw: unknown): WorkflowDefinition | null {
  const candidates = [raw];
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    candidates.push(
      r.definition,
      r.workflow,
      (r.workflow as Record<string, unknown> | undefined)?.definition,
    );
  }
  for (const c of candidates) {
    const parsed = workflowDefinitionSchema.safeParse(c);
    if (parsed.success) return parsed.data;
  }
  return null;
}

export function samples(): WorkflowDefinition[] {
  const shipped = Object.keys(files)
    .sort()
    .map((k) => definitionOf(files[k]))
    .filter((d): d is WorkflowDefinition => d !== null);
  const builtIn = [STARTER, CLAUDE_CODE_TEAM];
  return [...builtIn, ...shipped.filter((d) => !builtIn.some((b) => b.name === d.name))];
}
