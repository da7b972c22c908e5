/** Questions asked of the person's repository before anything is created in it. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { OrchestrationError, ValidationError } from '../../../src-shared/errors';
import { runGit, type GitCommandRecord } from '../git';

type Record_ = (entry: GitCommandRecord) => void;

/** The repository's top folder; refuses (never initialises) a folder that is not a repository. */
export async function repositoryRoot(path: string, record: Record_): Promise<string> {
  const folder = resolve(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ValidationError(
      'INVALID_INPUT',
      `${folder} does not exist or is not a folder.`,
      'repository.path',
      path,
    );
  }
  try {
    const { stdout } = await runGit(['rev-parse', '--show-toplevel'], { cwd: folder, record });
    return stdout.trim();
  } catch (error) {
    if (error instanceof OrchestrationError && error.code === 'INTERNAL_ERROR') {
      throw new ValidationError(
        'INVALID_INPUT',
        `${folder} is not a git repository (or is a bare one). Nothing was initialised: run "git init" and make a first commit there yourself, or choose another folder.`,
        'repository.path',
        path,
        { cause: error },
      );
    }
    throw error;
  }
}

/** A branch name we may pass to git: never an option, and valid as a ref. */
export async function checkBranchName(
  name: string,
  field: string,
  cwd: string,
  record: Record_,
): Promise<void> {
  const bad = () =>
    new ValidationError('INVALID_INPUT', `"${name}" is not a valid branch name.`, field, name);
  if (!name || name.startsWith('-')) throw bad();
  try {
    await runGit(['check-ref-format', '--branch', name], { cwd, record });
  } catch {
    throw bad();
  }
}

export async function revParse(ref: string, cwd: string, record: Record_): Promise<string | null> {
  const { stdout, exitCode } = await runGit(
    ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
    {
      cwd,
      record,
      okCodes: [1],
    },
  );
  return exitCode === 0 ? stdout.trim() : null;
}

export async function isAncestor(
  a: string,
  b: string,
  cwd: string,
  record: Record_,
): Promise<boolean> {
  const { exitCode } = await runGit(['merge-base', '--is-ancestor', a, b], {
    cwd,
    record,
    okCodes: [1],
  });
  return exitCode === 0;
}

/** The branch checked out in `cwd`, or null when HEAD is detached. */
export async function currentBranch(cwd: string, record: Record_): Promise<string | null> {
  const { stdout, exitCode } = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd,
    record,
    okCodes: [1],
  });
  return exitCode === 0 ? stdout.trim() : null;
}

export interface WorktreeEntry {
  path: string;
  head: string | null;
  branch: string | null;
}

export async function listWorktrees(cwd: string, record: Record_): Promise<WorktreeEntry[]> {
  const { stdout } = await runGit(['worktree', 'list', '--porcelain', '-z'], { cwd, record });
  const out: WorktreeEntry[] = [];
  let entry: WorktreeEntry | undefined;
  for (const field of stdout.split('\0')) {
    if (field === '') {
      entry = undefined;
      continue;
    }
    if (field.startsWith('worktree ')) {
      entry = { path: field.slice(9), head: null, branch: null };
      out.push(entry);
    } else if (entry && field.startsWith('HEAD ')) entry.head = field.slice(5);
    else if (entry && field.startsWith('branch ')) entry.branch = field.slice(7);
  }
  return out;
}

/** Tracked changes only (staged or not): what a fast-forward of this checkout could clobber. */
export async function hasTrackedChanges(cwd: string, record: Record_): Promise<boolean> {
  const { stdout } = await runGit(['status', '--porcelain', '--untracked-files=no'], {
    cwd,
    record,
  });
  return stdout.trim() !== '';
}

/** Anything at all that a reset would lose: tracked changes or untracked (not ignored) files. */
export async function hasAnyChanges(cwd: string, record: Record_): Promise<boolean> {
  const { stdout } = await runGit(['status', '--porcelain', '--untracked-files=all'], {
    cwd,
    record,
  });
  return stdout.trim() !== '';
}
