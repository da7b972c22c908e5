/**
 * A workflow is a topology: sessions (each with a runner) and the edges messages may travel.
 * A run is one execution of a workflow with an input. Shared by engine, bridge, SDK and canvas.
 */
import { z } from 'zod';
import { MESSAGE_TYPES, SESSION_TYPES } from './domain';
import { jsonObject } from './schemas';

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, 'ids use letters, digits, "_", "." and "-" only');
const text = (max: number) => z.string().max(max);

export const scriptRunnerSchema = z.strictObject({
  kind: z.literal('script'),
  /** A function body that declares `async function handle(message, ctx)`. */
  source: z.string().min(1).max(200_000),
  timeoutMs: z.number().int().positive().optional(),
});
export const shellRunnerSchema = z.strictObject({
  kind: z.literal('shell'),
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(4096)).max(200).optional(),
  env: z.record(z.string(), z.string()).optional(),
  shell: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
});
export const claudeRunnerSchema = z.strictObject({
  kind: z.literal('claude'),
  model: z.string().min(1).max(200),
  system: text(100_000).optional(),
  maxTokens: z.number().int().positive().max(200_000).optional(),
  baseURL: z.url().optional(),
  timeoutMs: z.number().int().positive().optional(),
});
/** A Claude Code agent (the Agent SDK's binary) working in the session's worktree or workspace. */
export const claudeCodeRunnerSchema = z.strictObject({
  kind: z.literal('claude-code'),
  model: z.string().min(1).max(200).optional(),
  allowedTools: z.array(z.string().min(1).max(500)).max(200).optional(),
  disallowedTools: z.array(z.string().min(1).max(500)).max(200).optional(),
  permissionMode: z.enum(['default', 'acceptEdits', 'plan', 'dontAsk']).optional(),
  maxTurns: z.number().int().positive().max(10_000).optional(),
  maxBudgetUsd: z.number().positive().max(100_000).optional(),
  appendSystemPrompt: text(100_000).optional(),
  baseURL: z.url().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
});
export const manualRunnerSchema = z.strictObject({ kind: z.literal('manual') });
/** Director strategy: send the run input to every connected department, complete when all report. */
export const fanOutRunnerSchema = z.strictObject({ kind: z.literal('fan-out') });

export const runnerSchema = z.discriminatedUnion('kind', [
  scriptRunnerSchema,
  shellRunnerSchema,
  claudeRunnerSchema,
  claudeCodeRunnerSchema,
  manualRunnerSchema,
  fanOutRunnerSchema,
]);
export type RunnerConfig = z.infer<typeof runnerSchema>;
export type RunnerKind = RunnerConfig['kind'];

export const RUNNER_KINDS_BY_TYPE = {
  director: ['fan-out', 'script', 'claude', 'claude-code'],
  department: ['script', 'shell', 'claude', 'claude-code', 'manual'],
  observer: [],
} as const satisfies Record<(typeof SESSION_TYPES)[number], readonly RunnerKind[]>;

export const positionSchema = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

export const workflowSessionSchema = z.strictObject({
  id,
  type: z.enum(SESSION_TYPES),
  name: z.string().min(1).max(200),
  runner: runnerSchema.optional(),
  workspace: z.string().min(1).max(4096).optional(),
  limits: z
    .strictObject({
      timeoutMs: z.number().int().positive().optional(),
      maxRetries: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
  position: positionSchema,
});
export type WorkflowSession = z.infer<typeof workflowSessionSchema>;

export const workflowEdgeSchema = z.strictObject({
  id,
  from: id,
  to: id,
  /** Message types allowed on this edge; absent = every type the direction rules allow. */
  types: z.array(z.enum(MESSAGE_TYPES)).optional(),
});
export type WorkflowEdge = z.infer<typeof workflowEdgeSchema>;

const branch = z.string().min(1).max(250).regex(/^[^-]/, 'a branch name cannot start with "-"');
/** The git repository a run's departments work on, each in its own worktree (docs/worktrees.md). */
export const repositorySettingsSchema = z.strictObject({
  path: z.string().min(1).max(4096),
  /** Default: the branch checked out in `path`. */
  baseBranch: branch.optional(),
  /** Default: the OS temp folder; worktrees go below `<root>/orchestration-worktrees/`. */
  worktreeRoot: z.string().min(1).max(4096).optional(),
  /** 'none': departments work in the repository itself (one-department runs). */
  mode: z.enum(['worktree', 'none']).optional(),
  /** Merge here instead of the base branch. */
  integrationBranch: branch.optional(),
});
export type RepositorySettingsConfig = z.infer<typeof repositorySettingsSchema>;

/**
 * The largest workflow the editor and engine take: the canvas is measured with 2,000 sessions /
 * 2,400 edges (bench/canvas.ts), and a run needs engine option maxSessions ≥ its sessions.
 */
export const MAX_WORKFLOW_SESSIONS = 5_000;
export const MAX_WORKFLOW_EDGES = 10_000;

export const workflowDefinitionSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: text(10_000).optional(),
  sessions: z.array(workflowSessionSchema).max(MAX_WORKFLOW_SESSIONS),
  edges: z.array(workflowEdgeSchema).max(MAX_WORKFLOW_EDGES),
  settings: jsonObject.optional(),
  repository: repositorySettingsSchema.optional(),
  viewport: z
    .strictObject({ x: z.number(), y: z.number(), zoom: z.number().positive() })
    .optional(),
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;

export interface Workflow {
  id: string;
  definition: WorkflowDefinition;
  /** Increases with every saved change. */
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/** `interrupted`: its engine stopped mid-run (crash, shutdown, checkpoint restore); `runs.resume` carries on. */
export const RUN_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface Run {
  id: string;
  workflowId: string;
  status: RunStatus;
  input: unknown;
  result: unknown;
  error: string | null;
  startedAt: number | null;
  endedAt: number | null;
  createdAt: number;
  /** Workflow session id → the engine session created for this run. */
  sessions: Record<string, string>;
}
