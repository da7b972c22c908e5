/**
 * Ready worktrees for a workflow before its first Run: when a trusted workflow with a repository
 * is saved, spares are made in the background for its claude-code departments (the first Run
 * then claims them instead of checking out every worktree). Saves are debounced (the editor
 * saves on every edit, and an import marks its workflow untrusted just after creating it), and
 * nothing is done again while the repository settings and department count stay the same. An
 * untrusted (imported) workflow never makes the engine touch the repository it names.
 */
import type { Workflow } from '../../../src-shared/workflow';
import type { RepositorySettings, RunWorkspaces } from './types';

export interface WarmOnSaveDeps {
  workspaces: Pick<RunWorkspaces, 'warm'>;
  isTrusted: (workflow: Workflow) => Promise<boolean>;
  log: (text: string) => void;
  /** How long a workflow must stay unsaved before its worktrees are prepared. */
  settleMs?: number;
}

export interface WarmOnSave {
  saved(workflow: Workflow): void;
  /** Drops pending timers (engine close). */
  stop(): void;
}

export function warmOnSave(deps: WarmOnSaveDeps): WarmOnSave {
  const warmed = new Map<string, string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const settleMs = deps.settleMs ?? 1_000;

  const prepare = async (workflow: Workflow, key: string, repo: RepositorySettings, n: number) => {
    if (warmed.get(workflow.id) === key || !(await deps.isTrusted(workflow))) return;
    warmed.set(workflow.id, key);
    try {
      await deps.workspaces.warm(repo, n);
    } catch (error) {
      warmed.delete(workflow.id);
      deps.log(`Could not prepare worktrees ahead of the first run: ${String(error)}`);
    }
  };

  return {
    saved(workflow) {
      const repository = (workflow.definition as { repository?: RepositorySettings }).repository;
      const departments = workflow.definition.sessions.filter(
        (s) => s.type === 'department' && s.runner?.kind === 'claude-code',
      ).length;
      if (!repository || departments === 0 || (repository.mode ?? 'worktree') === 'none') return;
      const key = JSON.stringify([repository, departments]);
      clearTimeout(timers.get(workflow.id));
      const timer = setTimeout(() => {
        timers.delete(workflow.id);
        void prepare(workflow, key, repository, departments);
      }, settleMs);
      timer.unref();
      timers.set(workflow.id, timer);
    },
    stop() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
