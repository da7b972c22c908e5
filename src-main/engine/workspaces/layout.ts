/** Names and places: branch names, worktree folders, slugs that are always valid ref parts. */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const BRANCH_PREFIX = 'orchestration';
export const WORKTREES_FOLDER = 'orchestration-worktrees';
/** Ready worktrees' folder, beside the runs' folders. */
export const SPARES_FOLDER = '.spares';

/** Lowercase letters, digits, "_" and "-" only: valid in a ref and in a folder name everywhere. */
export function slug(text: string, max = 40): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, max)
    .replace(/[-_]+$/, '');
}

/** One slug per session, unique within the run: the name, else the id; clashes get the id added. */
export function sessionSlugs(sessions: Array<{ id: string; name: string }>): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const s of sessions) {
    const idSlug = slug(s.id, 24) || 'session';
    let candidate = slug(s.name) || idSlug;
    if (used.has(candidate)) candidate = `${candidate}-${idSlug}`;
    for (let n = 2; used.has(candidate); n++) candidate = `${slug(s.name) || idSlug}-${n}`;
    used.add(candidate);
    out.set(s.id, candidate);
  }
  return out;
}

export function runSlug(runId: string): string {
  return slug(runId, 60) || 'run';
}

export function branchName(runId: string, sessionSlug: string): string {
  return `${BRANCH_PREFIX}/${runSlug(runId)}/${sessionSlug}`;
}

/** `<root>/orchestration-worktrees/<repo-name>-<hash of its path>`: outside the repository. */
function repositoryFolder(repoRoot: string, worktreeRoot?: string): string {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 10);
  const repoPart = `${slug(basename(repoRoot), 40) || 'repo'}-${hash}`;
  return join(resolve(worktreeRoot ?? tmpdir()), WORKTREES_FOLDER, repoPart);
}

/** `<repository folder>/<run>`. */
export function runFolder(repoRoot: string, runId: string, worktreeRoot?: string): string {
  return join(repositoryFolder(repoRoot, worktreeRoot), runSlug(runId));
}

/**
 * `<repository folder>/.spares`: ready worktrees, beside the runs' folders (one file system, so
 * claiming one is a rename). A run slug never starts with a dot, so no run folder is this one.
 */
export function spareFolder(repoRoot: string, worktreeRoot?: string): string {
  return join(repositoryFolder(repoRoot, worktreeRoot), SPARES_FOLDER);
}

/** A side branch name for saved work that no existing branch has. */
export function savedBranchName(
  branch: string,
  at: Date,
  taken: (name: string) => boolean,
): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let name = `${branch}-saved-${stamp}`;
  for (let n = 2; taken(name); n++) name = `${branch}-saved-${stamp}-${n}`;
  return name;
}
