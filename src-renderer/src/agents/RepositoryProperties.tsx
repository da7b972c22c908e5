/** The workflow's git repository: departments work in their own worktrees of it (or in it). */
import { useId } from 'react';
import type { RepositorySettingsConfig, WorkflowDefinition } from '../../../src-shared/workflow';
import { commit, docOf, useEditor } from '../stores/editor';
import { CheckedField } from './CheckedField';
import { checkBranch, checkPath } from './validate';

type Repo = RepositorySettingsConfig;

function save(repository: Repo | undefined): void {
  const doc = docOf(useEditor.getState());
  const { repository: _old, ...rest } = doc;
  commit((repository ? { ...rest, repository } : rest) as WorkflowDefinition);
}

function with_<K extends keyof Repo>(repo: Repo, key: K, value: Repo[K] | undefined): Repo {
  const next = { ...repo };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

export function RepositoryProperties() {
  const repo = useEditor((s) => docOf(s).repository);
  const modeId = useId();
  const setField = <K extends keyof Repo>(key: K, value: Repo[K] | undefined) => {
    if (!repo) return;
    save(with_(repo, key, value));
  };
  return (
    <fieldset className="repository" aria-label="Repository">
      <legend>Repository</legend>
      <CheckedField
        label="Repository path"
        value={repo?.path ?? ''}
        placeholder="/home/me/project"
        hint={
          repo
            ? 'Each department works on its own branch, orchestration/<run>/<session>.'
            : 'Optional: a git repository the departments work on. Nothing is initialised or committed there without asking.'
        }
        check={checkPath('repository path')}
        onCommit={(v) => {
          const path = v.trim();
          save(path ? { ...(repo ?? {}), path } : undefined);
        }}
      />
      {repo && (
        <>
          <CheckedField
            label="Base branch"
            value={repo.baseBranch ?? ''}
            placeholder="the branch checked out there"
            check={checkBranch}
            onCommit={(v) => setField('baseBranch', v.trim() || undefined)}
          />
          <div className="field">
            <label htmlFor={modeId}>Worktree mode</label>
            <select
              id={modeId}
              value={repo.mode ?? 'worktree'}
              onChange={(e) =>
                setField(
                  'mode',
                  e.currentTarget.value === 'worktree'
                    ? undefined
                    : (e.currentTarget.value as 'none'),
                )
              }
            >
              <option value="worktree">worktree — one worktree and branch per department</option>
              <option value="none">none — work in the repository itself (one department)</option>
            </select>
          </div>
          {repo.mode !== 'none' && (
            <CheckedField
              label="Worktree root"
              value={repo.worktreeRoot ?? ''}
              placeholder="the system's temporary folder"
              hint="Worktrees go in orchestration-worktrees/ under this folder, outside the repository."
              check={checkPath('worktree root')}
              onCommit={(v) => setField('worktreeRoot', v.trim() || undefined)}
            />
          )}
          <CheckedField
            label="Integration branch"
            value={repo.integrationBranch ?? ''}
            placeholder="merge into the base branch"
            check={checkBranch}
            onCommit={(v) => setField('integrationBranch', v.trim() || undefined)}
          />
        </>
      )}
    </fieldset>
  );
}
