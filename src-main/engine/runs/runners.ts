/**
 * The runners a run uses, one instance of each kind per engine (they keep no per-run state):
 * the script runner shares the engine's worker pool and persists ctx.state in session.state.
 */
import type { RunnerKind, WorkflowDefinition } from '../../../src-shared/workflow';
import type { WorkerPool } from '../pool';
import { createClaudeRunner, type EnvSource } from '../runners/claude';
import {
  ClaudeCodeAgents,
  createClaudeCodeRunner,
  PermissionDesk,
  type PermissionRequest,
  type PermissionOutcome,
  type WorkspacesPort,
} from '../runners/claude-code';
import { createScriptRunner, type ScriptSendRequest } from '../runners/script';
import { createShellRunner } from '../runners/shell';
import type { Runner } from '../runners/types';
import type { RepositorySettings, RunWorkspaces } from '../workspaces';
import type { SessionRegistry } from '../sessions';
import { ManualDesk } from './manual';

export interface RunnerSetOptions {
  pool: () => WorkerPool;
  sessions: SessionRegistry;
  /** Routes a script's ctx.send to the run that owns the sending session. */
  send: (request: ScriptSendRequest) => Promise<void>;
  now: () => number;
  /** The engine's data directory (Claude Code agents keep their own config under it). */
  dataDir: string;
  /** engine.workspaces: the runs' git worktrees (absent: agents work in the session workspace). */
  workspaces?: () => (WorkspacesPort & Pick<RunWorkspaces, 'prepare' | 'remove'>) | undefined;
  /** The runners' environment, read at each use (default process.env); the key may come from secrets. */
  env?: EnvSource;
  /** A request to a person appeared or ended (permission.requested / permission.resolved). */
  onPermission?: (request: PermissionRequest, outcome: PermissionOutcome | null) => void;
}

export class RunnerSet {
  readonly manual: ManualDesk;
  readonly permissions: PermissionDesk;
  readonly claudeCodeAgents: ClaudeCodeAgents;
  private readonly claudeCode: Runner;
  private script: Runner | undefined;
  private readonly shell = createShellRunner();
  private readonly claude: Runner;

  constructor(private readonly options: RunnerSetOptions) {
    this.manual = new ManualDesk(options.now);
    this.claude = createClaudeRunner(options.env ? { env: options.env } : {});
    this.permissions = new PermissionDesk(options.now, {
      requested: (request) => options.onPermission?.(request, null),
      resolved: (request, outcome) => options.onPermission?.(request, outcome),
    });
    this.claudeCodeAgents = new ClaudeCodeAgents({
      dataDir: options.dataDir,
      ...(options.env ? { env: options.env } : {}),
      desk: this.permissions,
      sessions: options.sessions,
      ...(options.workspaces ? { workspaces: options.workspaces } : {}),
    });
    this.claudeCode = createClaudeCodeRunner(this.claudeCodeAgents);
  }

  get env(): EnvSource | undefined {
    return this.options.env;
  }

  /** The runner for a department kind (directors use strategies, see directors.ts). */
  get(kind: Exclude<RunnerKind, 'fan-out'>): Runner {
    switch (kind) {
      case 'script':
        return this.scriptRunner();
      case 'shell':
        return this.shell;
      case 'claude':
        return this.claude;
      case 'claude-code':
        return this.claudeCode;
      case 'manual':
        return this.manual.runner;
    }
  }

  /** Created on first use so an engine that never runs a script starts no worker threads. */
  scriptRunner(): Runner {
    const { sessions } = this.options;
    // The state as last loaded, per session: an unchanged state is not written back.
    const loaded = new Map<string, string>();
    this.script ??= createScriptRunner({
      pool: this.options.pool(),
      send: this.options.send,
      loadState: async (id) => {
        const state = (await sessions.get(id))?.state;
        loaded.set(id, JSON.stringify(state ?? {}));
        return state;
      },
      saveState: async (id, state) => {
        const text = JSON.stringify(state);
        if (loaded.get(id) === text) return;
        loaded.delete(id);
        await sessions.update(id, { state });
      },
    });
    return this.script;
  }

  /**
   * At run start, for a workflow with a repository: one git worktree per claude-code department
   * (created in parallel), where its agent works on its own branch.
   */
  async prepareRun(
    runId: string,
    definition: WorkflowDefinition,
    engineIds: ReadonlyMap<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    const repository = (definition as { repository?: RepositorySettings }).repository;
    const workspaces = this.options.workspaces?.();
    if (!repository || !workspaces) return;
    const sessions = definition.sessions
      .filter((s) => s.type === 'department' && s.runner?.kind === 'claude-code')
      .map((s) => ({ id: engineIds.get(s.id)!, name: s.name }));
    if (sessions.length > 0) await workspaces.prepare(runId, repository, sessions, signal);
  }

  /** Ends what a finished run still holds (its idle Claude Code agents). */
  async endRun(runId: string): Promise<void> {
    await this.claudeCodeAgents.closeRun(runId);
  }

  /** A deleted run's worktrees and merged branches go with it. */
  async removeRun(runId: string): Promise<void> {
    await this.options.workspaces?.()?.remove(runId);
  }

  async dispose(): Promise<void> {
    await this.claudeCodeAgents.dispose();
    await this.shell.dispose?.();
  }
}
