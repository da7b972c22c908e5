/** Real git repositories in temp folders; identity set in each repository's own config only. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  }).trim();
}

export interface Fixture {
  dir: string;
  repo: string;
  worktreeRoot: string;
  stateDir: string;
  cleanup(): void;
}

/** A repository with one commit on main (README and app.txt), plus folders for worktrees/state. */
export function makeRepo(files: Record<string, string> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'orch-git-'));
  const repo = join(dir, 'project');
  mkdirSync(repo);
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'config', 'user.name', 'Person');
  git(repo, 'config', 'user.email', 'person@example.com');
  git(repo, 'config', 'commit.gpgsign', 'false');
  const all = { 'README.md': '# project\n', 'app.txt': 'line 1\nline 2\nline 3\n', ...files };
  for (const [path, text] of Object.entries(all)) write(repo, path, text);
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'first');
  return {
    dir,
    repo,
    worktreeRoot: join(dir, 'worktrees'),
    stateDir: join(dir, 'state'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

export function worktreePaths(repo: string): string[] {
  return git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice(9));
}
