/**
 * Run-level worktrees: one per department, on `orchestration/<run>/<session>`, outside the
 * repository; merges computed with `merge-tree` so a conflict never touches the target branch.
 */
import { existsSync, rmSync, rmdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OrchestrationError, ValidationError } from '../../../src-shared/errors';
import { GitCommandLog, runGit, type GitCommandRecord, type RunGitOptions } from '../git';
import { toDiffFiles } from './diff-parse';
import {
  branchName,
  runFolder,
  savedBranchName,
  sessionSlugs,
  spareFolder,
  SPARES_FOLDER,
} from './layout';
import { ManifestStore, type RunRecord, type SessionRecord } from './manifest';
import {
  checkBranchName,
  currentBranch,
  hasAnyChanges,
  hasTrackedChanges,
  isAncestor,
  listWorktrees,
  repositoryRoot,
  revParse,
} from './repo';
import { SparePool, type SpareEntry, type SpareStatus } from './spares';
import type {
  DiffFile,
  DiffStat,
  MergeResult,
  RepositorySettings,
  RunWorkspaces,
  RunWorkspacesOptions,
  SessionWorkspace,
  WorkspaceSnapshot,
} from './types';

const FETCH_TIMEOUT_MS = 15_000;
const DEFAULT_IDENTITY = { name: 'Orchestration Studio', email: 'orchestration-studio@localhost' };
const NO_CHANGE: DiffStat = { files: 0, insertions: 0, deletions: 0 };

export function createRunWorkspaces(options: RunWorkspacesOptions = {}): RunWorkspaces {
  return new WorktreeService(options);
}

class WorktreeService implements RunWorkspaces {
  private readonly runs = new Map<string, RunRecord>();
  private readonly log: GitCommandLog;
  private readonly manifests: ManifestStore;
  private readonly identityEnv: Record<string, string>;
  /** One merge at a time per target branch: the second computes against the first's result. */
  private readonly mergeLocks = new Map<string, Promise<unknown>>();
  /**
   * Per repository, one worktree bookkeeping command at a time (add, prune, list, branch -D,
   * checkout -B): git reads every entry of .git/worktrees for these, and a parallel `worktree add`
   * caught halfway fails them ("failed to read .git/worktrees/<x>/commondir"). Checking files out,
   * the slow part, runs outside the lock, in parallel.
   */
  private readonly adminLocks = new Map<string, Promise<unknown>>();
  private readonly spares: SparePool;

  constructor(private readonly options: RunWorkspacesOptions) {
    this.log = new GitCommandLog(options.commandsPerRun);
    this.spares = new SparePool(
      options.spares ?? { perRepository: 0 },
      options.stateDir,
      (root, work) => this.serial(root, work),
      (text, details) => this.warn(text, details),
      (path) =>
        [...this.runs.values()].some((r) =>
          Object.values(r.sessions).some((s) => s.state === 'active' && s.path === path),
        ),
    );
    this.manifests = new ManifestStore(options.stateDir);
    for (const record of this.manifests.loadAll()) this.runs.set(record.runId, record);
    const who = options.identity ?? DEFAULT_IDENTITY;
    this.identityEnv = {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
    };
  }

  async prepare(
    runId: string,
    repo: RepositorySettings,
    sessions: Array<{ id: string; name: string }>,
    signal?: AbortSignal,
  ): Promise<Map<string, SessionWorkspace>> {
    requireId(runId, 'runId');
    if (!repo || typeof repo.path !== 'string' || repo.path === '') {
      throw new ValidationError(
        'MISSING_FIELD',
        'repository.path is required: the git repository departments work on.',
        'repository.path',
      );
    }
    const record = this.recorder(runId);
    const root = await repositoryRoot(repo.path, record);
    const git = (args: string[], extra: Partial<RunGitOptions> = {}) =>
      runGit(args, { cwd: root, record, signal, ...extra });

    const baseBranch = repo.baseBranch ?? (await currentBranch(root, record));
    if (!baseBranch) {
      throw new ValidationError(
        'INVALID_INPUT',
        `${root} has a detached HEAD: set the workflow's repository.baseBranch to the branch departments start from.`,
        'repository.baseBranch',
      );
    }
    await checkBranchName(baseBranch, 'repository.baseBranch', root, record);
    const localBase = await revParse(`refs/heads/${baseBranch}`, root, record);
    if (!localBase) {
      const empty = !(await revParse('HEAD', root, record));
      throw new ValidationError(
        'INVALID_INPUT',
        empty
          ? `${root} has no commits yet. Nothing was committed for you: make a first commit there, then run again.`
          : `The base branch "${baseBranch}" does not exist in ${root}.`,
        'repository.baseBranch',
        baseBranch,
      );
    }
    const baseCommit = await this.fetchBase(runId, root, baseBranch, localBase, signal);
    const into = repo.integrationBranch ?? baseBranch;
    if (repo.integrationBranch) {
      await checkBranchName(into, 'repository.integrationBranch', root, record);
      if (!(await revParse(`refs/heads/${into}`, root, record))) {
        await git(['branch', '--no-track', into, baseCommit]);
      }
    }

    const mode = repo.mode ?? 'worktree';
    const existing = this.runs.get(runId);
    const run: RunRecord =
      existing && existing.repoRoot === root
        ? existing
        : {
            version: 1,
            runId,
            repoRoot: root,
            mode,
            baseBranch,
            baseCommit,
            into,
            runDir: mode === 'none' ? null : runFolder(root, runId, repo.worktreeRoot),
            sessions: {},
          };
    const slugs = sessionSlugs(sessions);
    for (const s of sessions) requireId(s.id, 'session id');
    const plan: Array<{ id: string; name: string; path: string; branch: string | null }> = [];
    for (const s of sessions) {
      const known = run.sessions[s.id];
      if (known?.state === 'active' && existsSync(known.path)) continue;
      const slug = slugs.get(s.id)!;
      plan.push(
        run.mode === 'none'
          ? { id: s.id, name: s.name, path: root, branch: null }
          : {
              id: s.id,
              name: s.name,
              path: known?.path ?? join(run.runDir!, slug),
              branch: known?.branch ?? branchName(runId, slug),
            },
      );
    }
    // New departments take ready worktrees first (renamed and branched, no checkout); the rest,
    // and branches from before a restart, are checked out now.
    const spareDir = run.runDir ? join(dirname(run.runDir), SPARES_FOLDER) : null;
    const fresh = plan.filter((p) => p.branch && !run.sessions[p.id]?.branch);
    const claimed = spareDir
      ? this.spares.take(
          root,
          spareDir,
          fresh.map((p) => p.path),
        )
      : [];
    const fromSpares = fresh.slice(0, claimed.length);
    const added = await Promise.allSettled([
      fromSpares.length ? this.claimSpares(run, fromSpares, claimed, spareDir!, signal) : null,
      ...plan
        .filter((p) => p.branch && !fromSpares.includes(p))
        .map((p) => this.addWorktree(run, p.id, p.branch!, p.path, run.baseCommit, signal)),
    ]);
    const failure = added.find((r) => r.status === 'rejected');
    if (failure) {
      // All or nothing, and only once every git has finished: a half-prepared run would leave
      // departments without a workspace and worktrees nobody tracks.
      // A branch still at the base commit holds no work: removing it loses nothing.
      await Promise.allSettled(
        plan.map(async (p) => {
          if (!p.branch) return;
          const tip = await revParse(`refs/heads/${p.branch}`, root, record);
          await this.dropWorktree(run, p.id, p.path, p.branch, tip === run.baseCommit);
        }),
      );
      if (spareDir) this.spares.release(spareDir, claimed);
      throw failure.reason;
    }
    for (const p of plan) {
      run.sessions[p.id] = { name: p.name, path: p.path, branch: p.branch, state: 'active' };
    }
    this.runs.set(runId, run);
    this.manifests.save(run);
    // Only now that the run's manifest holds them: until then a crash leaves them to the sweep.
    if (spareDir) this.spares.release(spareDir, claimed);
    // The next Run of this repository finds its worktrees ready.
    const made = plan.filter((p) => p.branch).length;
    if (spareDir && made > 0) this.spares.schedule(root, spareDir, run.baseCommit, made);
    const out = new Map<string, SessionWorkspace>();
    for (const s of sessions) out.set(s.id, this.view(run, s.id)!);
    return out;
  }

  get(runId: string, sessionId: string): SessionWorkspace | undefined {
    const run = this.runs.get(runId);
    return run ? this.view(run, sessionId) : undefined;
  }

  async commitAll(runId: string, sessionId: string, message: string) {
    const { run, session } = this.require(runId, sessionId);
    const record = this.recorder(runId, sessionId);
    const git = (args: string[], extra: Partial<RunGitOptions> = {}) =>
      runGit(args, { cwd: session.path, record, ...extra });
    if (run.mode === 'none') {
      // The person's own checkout: report the work, never commit it for them.
      const { stdout } = await git(['diff', '--numstat', '-z', 'HEAD']);
      return { commit: null, diffStat: sumNumstat(stdout) };
    }
    await git(['add', '-A']);
    const staged = await git(['diff', '--cached', '--quiet'], { okCodes: [1] });
    if (staged.exitCode === 0) return { commit: null, diffStat: NO_CHANGE };
    const before = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    const text = message.trim() || `${session.name}: work`;
    // Hooks and signing are the person's gates for their own commits; these land on our branch
    // and are reviewed at merge time.
    await git(['-c', 'commit.gpgsign=false', 'commit', '--no-verify', '--quiet', '-m', text], {
      env: this.identityEnv,
    });
    const commit = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    const { stdout } = await git(['diff', '--numstat', '-z', before, commit]);
    return { commit, diffStat: sumNumstat(stdout) };
  }

  async diff(runId: string, sessionId: string): Promise<DiffFile[]> {
    const { run, session } = this.require(runId, sessionId);
    if (!session.branch) return [];
    const record = this.recorder(runId, sessionId);
    const git = (args: string[]) => runGit(args, { cwd: run.repoRoot, record });
    const base = (
      await git(['merge-base', `refs/heads/${run.into}`, `refs/heads/${session.branch}`])
    ).stdout.trim();
    const range = [base, `refs/heads/${session.branch}`];
    const common = ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '-M'];
    const [names, counts, patch] = await Promise.all([
      git([...common, '--name-status', '-z', ...range]),
      git([...common, '--numstat', '-z', ...range]),
      git([...common, '--patch', '--unified=3', ...range]),
    ]);
    return toDiffFiles(names.stdout, counts.stdout, patch.stdout);
  }

  async merge(runId: string, sessionId: string): Promise<MergeResult> {
    const { run, session } = this.require(runId, sessionId);
    if (run.mode === 'none' || !session.branch) {
      throw new ValidationError(
        'INVALID_INPUT',
        `This run works in the repository itself (mode 'none'): the changes are already in your checkout of ${run.baseBranch}, there is no branch to merge.`,
        'sessionId',
        sessionId,
      );
    }
    const key = `${run.repoRoot}\0${run.into}`;
    const previous = this.mergeLocks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.mergeNow(run, sessionId, session));
    this.mergeLocks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.mergeLocks.get(key) === next) this.mergeLocks.delete(key);
    }
  }

  private async mergeNow(
    run: RunRecord,
    sessionId: string,
    session: SessionRecord,
  ): Promise<MergeResult> {
    const branch = session.branch!;
    const into = run.into;
    const record = this.recorder(run.runId, sessionId);
    const git = (args: string[], extra: Partial<RunGitOptions> = {}) =>
      runGit(args, { cwd: run.repoRoot, record, ...extra });
    if (existsSync(session.path)) {
      await this.commitAll(run.runId, sessionId, `${session.name}: work before merge`);
    }
    const old = await revParse(`refs/heads/${into}`, run.repoRoot, record);
    const tip = await revParse(`refs/heads/${branch}`, run.repoRoot, record);
    if (!old || !tip) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Cannot merge: branch ${!old ? into : branch} no longer exists in ${run.repoRoot}.`,
        { details: { into, branch } },
      );
    }
    let target: string;
    let fastForward: boolean;
    if (await isAncestor(tip, old, run.repoRoot, record)) {
      await this.finishMerged(run, sessionId);
      return { merged: true, commit: old, fastForward: true, into };
    }
    if (await isAncestor(old, tip, run.repoRoot, record)) {
      target = tip;
      fastForward = true;
    } else {
      const result = await git(
        ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', old, tip],
        { okCodes: [1] },
      );
      const [tree = '', ...files] = result.stdout.split('\0').filter(Boolean);
      if (result.exitCode === 1) {
        return { merged: false, conflicts: [...new Set(files)], into };
      }
      const message = `Merge ${branch} into ${into}\n\nDepartment "${session.name}" of run ${run.runId}.`;
      target = (
        await git(['commit-tree', '--no-gpg-sign', tree, '-p', old, '-p', tip, '-m', message], {
          env: this.identityEnv,
        })
      ).stdout.trim();
      fastForward = false;
    }
    await this.moveBranch(run, into, old, target, `orchestration: merge ${branch}`, record);
    await this.finishMerged(run, sessionId);
    return { merged: true, commit: target, fastForward, into };
  }

  /**
   * Moves `into` from old to target. Checked out somewhere (the person's working tree): a clean
   * checkout is fast-forwarded in place so it is not left stale; a dirty one refuses. Otherwise
   * update-ref with the old value, a compare-and-swap.
   */
  private async moveBranch(
    run: RunRecord,
    into: string,
    old: string,
    target: string,
    reason: string,
    record: (e: GitCommandRecord) => void,
  ): Promise<void> {
    const ref = `refs/heads/${into}`;
    const worktrees = await this.serial(run.repoRoot, () => listWorktrees(run.repoRoot, record));
    const checkout = worktrees.find((w) => w.branch === ref);
    if (checkout) {
      if (await hasTrackedChanges(checkout.path, record)) {
        throw new ValidationError(
          'INVALID_INPUT',
          `Not merged: ${into} is checked out in ${checkout.path} with uncommitted changes. Commit or stash them there, then merge again (your work was not touched).`,
          'into',
          into,
          { details: { checkout: checkout.path } },
        );
      }
      if (checkout.head !== old) {
        throw new OrchestrationError(
          'INVALID_INPUT',
          `Not merged: ${into} moved while merging; merge again.`,
          { recoverable: true, details: { into } },
        );
      }
      await runGit(['merge', '--ff-only', '--quiet', target], { cwd: checkout.path, record });
      return;
    }
    try {
      await runGit(['update-ref', '-m', reason, ref, target, old], { cwd: run.repoRoot, record });
    } catch (error) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Not merged: ${into} moved while merging; merge again.`,
        { recoverable: true, details: { into }, cause: error },
      );
    }
  }

  /** A merged department's worktree is removed; its branch too (every commit is now in `into`). */
  private async finishMerged(run: RunRecord, sessionId: string): Promise<void> {
    await this.removeWorktree(run, sessionId, true);
    run.sessions[sessionId]!.state = 'merged';
    this.manifests.save(run);
  }

  async discard(runId: string, sessionId: string): Promise<void> {
    const { run } = this.require(runId, sessionId);
    if (run.mode === 'none') {
      run.sessions[sessionId]!.state = 'discarded';
      this.manifests.save(run);
      return;
    }
    await this.removeWorktree(run, sessionId, true);
    run.sessions[sessionId]!.state = 'discarded';
    this.manifests.save(run);
  }

  /**
   * Removes every worktree of the run. Branches whose work is already in the target go too;
   * a branch with unmerged commits is kept (and named in the log): deleting a run is not a
   * reason to lose a department's work.
   */
  async remove(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return;
    if (run.mode === 'worktree') {
      const record = this.recorder(runId);
      const kept: string[] = [];
      await Promise.all(
        Object.entries(run.sessions).map(async ([id, s]) => {
          if (s.state !== 'active' || !s.branch) return;
          const tip = await revParse(`refs/heads/${s.branch}`, run.repoRoot, record);
          const merged =
            !tip || (await isAncestor(tip, `refs/heads/${run.into}`, run.repoRoot, record));
          await this.removeWorktree(run, id, merged);
          if (!merged) kept.push(s.branch);
        }),
      );
      if (kept.length) {
        this.warn(`Kept ${kept.length} branch(es) with unmerged work: ${kept.join(', ')}`, {
          runId,
          kept,
        });
      }
      if (run.runDir) removeEmptyFolder(run.runDir);
    }
    this.runs.delete(runId);
    this.manifests.delete(runId);
    this.log.forget(runId);
  }

  runIds(): string[] {
    return [...this.runs.keys()];
  }

  async warm(repo: RepositorySettings, count: number): Promise<{ ready: number }> {
    if (!this.spares.enabled || (repo.mode ?? 'worktree') === 'none') return { ready: 0 };
    const record = () => undefined;
    const root = await repositoryRoot(repo.path, record);
    const base = repo.baseBranch ?? (await currentBranch(root, record));
    const commit = base ? await revParse(`refs/heads/${base}`, root, record) : null;
    if (!commit) return { ready: 0 };
    const ready = await this.spares.warm(root, spareFolder(root, repo.worktreeRoot), commit, count);
    return { ready };
  }

  spareWorktrees(): SpareStatus[] {
    return this.spares.list();
  }

  async dropSpares(repoPath?: string): Promise<void> {
    const root = repoPath ? await repositoryRoot(repoPath, () => undefined) : undefined;
    await this.spares.drop(root);
  }

  close(): Promise<void> {
    return this.spares.close();
  }

  async snapshot(runId: string): Promise<WorkspaceSnapshot> {
    const run = this.runs.get(runId);
    const snap: WorkspaceSnapshot = {};
    if (!run || run.mode === 'none') return snap;
    const record = this.recorder(runId);
    await Promise.all(
      Object.entries(run.sessions).map(async ([id, s]) => {
        if (s.state !== 'active' || !s.branch) return;
        const commit = await revParse(`refs/heads/${s.branch}`, run.repoRoot, record);
        if (commit) snap[id] = { branch: s.branch, commit, path: s.path };
      }),
    );
    return snap;
  }

  async restore(runId: string, snap: WorkspaceSnapshot): Promise<{ savedBranches: string[] }> {
    const run = this.runs.get(runId);
    if (!run) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Run ${runId} has no workspaces to restore (it was never prepared here, or was removed).`,
        'runId',
        runId,
      );
    }
    if (run.mode === 'none') return { savedBranches: [] };
    const saved: string[] = [];
    const at = new Date();
    // One department after another: side branch names are chosen against the refs that exist.
    for (const [sessionId, want] of Object.entries(snap)) {
      const side = await this.restoreOne(run, sessionId, want, at);
      if (side) saved.push(side);
    }
    this.manifests.save(run);
    return { savedBranches: saved };
  }

  private async restoreOne(
    run: RunRecord,
    sessionId: string,
    want: WorkspaceSnapshot[string],
    at: Date,
  ): Promise<string | null> {
    const record = this.recorder(run.runId, sessionId);
    const root = run.repoRoot;
    if (!(await revParse(want.commit, root, record))) {
      throw new OrchestrationError(
        'INVALID_INPUT',
        `Cannot restore ${want.branch}: commit ${want.commit} is no longer in ${root}.`,
        { details: { sessionId, commit: want.commit } },
      );
    }
    const known = run.sessions[sessionId];
    const worktrees = await this.serial(root, () => listWorktrees(root, record));
    const registered = worktrees.some((w) => w.path === want.path);
    let side: string | null = null;
    const takenNames = await this.branchNames(root, record);
    const sideName = () => savedBranchName(want.branch, at, (n) => takenNames.has(n));
    if (registered && existsSync(want.path)) {
      const head = (await runGit(['rev-parse', 'HEAD'], { cwd: want.path, record })).stdout.trim();
      const dirty = await hasAnyChanges(want.path, record);
      const extra = head !== want.commit && !(await isAncestor(head, want.commit, root, record));
      if (dirty || extra) {
        const keep = dirty ? await this.commitWorkingTree(want.path, head, record) : head;
        side = sideName();
        await runGit(['branch', '--no-track', side, keep], { cwd: root, record });
      }
      await runGit(['reset', '--hard', '--quiet', want.commit], { cwd: want.path, record });
      await runGit(['clean', '-fd', '--quiet'], { cwd: want.path, record });
      await this.serial(root, () =>
        runGit(['checkout', '--quiet', '-B', want.branch, want.commit], {
          cwd: want.path,
          record,
        }),
      );
    } else {
      const tip = await revParse(`refs/heads/${want.branch}`, root, record);
      if (tip && tip !== want.commit && !(await isAncestor(tip, want.commit, root, record))) {
        side = sideName();
        await runGit(['branch', '--no-track', side, tip], { cwd: root, record });
      }
      await this.serial(root, async () => {
        await runGit(['worktree', 'prune'], { cwd: root, record });
        await runGit(['worktree', 'add', '--quiet', '-B', want.branch, want.path, want.commit], {
          cwd: root,
          record,
        });
      });
    }
    run.sessions[sessionId] = {
      name: known?.name ?? sessionId,
      path: want.path,
      branch: want.branch,
      state: 'active',
    };
    return side;
  }

  /** A commit of everything in the worktree (untracked too), made with a throwaway index. */
  private async commitWorkingTree(
    path: string,
    head: string,
    record: (e: GitCommandRecord) => void,
  ): Promise<string> {
    const index = join(tmpdir(), `orchestration-index-${randomUUID()}`);
    const env = { ...this.identityEnv, GIT_INDEX_FILE: index };
    try {
      await runGit(['read-tree', head], { cwd: path, record, env });
      await runGit(['add', '-A'], { cwd: path, record, env });
      const tree = (await runGit(['write-tree'], { cwd: path, record, env })).stdout.trim();
      const message =
        'Uncommitted work saved by Orchestration Studio before restoring a checkpoint';
      return (
        await runGit(['commit-tree', '--no-gpg-sign', tree, '-p', head, '-m', message], {
          cwd: path,
          record,
          env,
        })
      ).stdout.trim();
    } finally {
      rmSync(index, { force: true });
    }
  }

  private async branchNames(
    root: string,
    record: (e: GitCommandRecord) => void,
  ): Promise<Set<string>> {
    const { stdout } = await runGit(['for-each-ref', '--format=%(refname:short)', 'refs/heads/'], {
      cwd: root,
      record,
    });
    return new Set(stdout.split('\n').filter(Boolean));
  }

  commands(runId: string, sessionId?: string) {
    return this.log.list(runId, sessionId);
  }

  // ---- helpers ----

  /** Fetches the base branch where it tracks a remote; offline is a warning, not a failure. */
  private async fetchBase(
    runId: string,
    root: string,
    baseBranch: string,
    localBase: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const record = this.recorder(runId);
    const remote = await runGit(['config', '--get', `branch.${baseBranch}.remote`], {
      cwd: root,
      record,
      okCodes: [1],
    });
    const name = remote.stdout.trim();
    if (remote.exitCode !== 0 || !name || name === '.') return localBase;
    const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
    try {
      await runGit(['fetch', '--quiet', '--no-tags', '--', name, `refs/heads/${baseBranch}`], {
        cwd: root,
        record,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      this.warn(`Could not fetch ${baseBranch} from ${name}; starting from the local branch.`, {
        runId,
        error: error instanceof Error ? error.message : String(error),
      });
      return localBase;
    }
    const tracked = await runGit(
      ['rev-parse', '--verify', '--quiet', `${baseBranch}@{upstream}^{commit}`],
      { cwd: root, record, okCodes: [1, 128] },
    );
    const upstream = tracked.exitCode === 0 ? tracked.stdout.trim() : null;
    // Start from the remote's tip only when it contains the local branch (no local work skipped).
    if (
      upstream &&
      upstream !== localBase &&
      (await isAncestor(localBase, upstream, root, record))
    ) {
      return upstream;
    }
    return localBase;
  }

  /**
   * Ready worktrees become the departments': each is renamed into its department's folder and one
   * `worktree repair` tells git where they went (under the bookkeeping lock, so no prune sees them
   * half-moved); one `update-ref` transaction creates every branch at the base (it fails, touching
   * nothing, if one exists); each worktree's HEAD then names its branch. The index already matches:
   * the spare is at the base commit. Any failure: these spares are removed wherever they got to and
   * the departments get fresh checkouts instead.
   */
  private async claimSpares(
    run: RunRecord,
    items: Array<{ id: string; path: string; branch: string | null }>,
    spares: SpareEntry[],
    spareDir: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const record = this.recorder(run.runId);
    const root = run.repoRoot;
    const base = run.baseCommit;
    try {
      // The base moved since they were made: only the files that differ are rewritten.
      await Promise.all(
        spares.map((s, i) =>
          s.commit === base
            ? null
            : runGit(['checkout', '--quiet', '--detach', base], {
                cwd: s.path,
                record: this.recorder(run.runId, items[i]!.id),
                signal,
              }),
        ),
      );
      await mkdir(run.runDir!, { recursive: true });
      await this.serial(root, async () => {
        const moved: string[] = [];
        try {
          for (const [i, s] of spares.entries()) {
            await rename(s.path, items[i]!.path);
            moved.push(items[i]!.path);
          }
        } finally {
          // Not cancellable: git must learn where every renamed worktree went.
          if (moved.length) await runGit(['worktree', 'repair', ...moved], { cwd: root, record });
        }
      });
      const transaction = [
        'start',
        ...items.map((p) => `create refs/heads/${p.branch} ${base}`),
        'commit',
        '',
      ].join('\n');
      await runGit(['update-ref', '--stdin'], { cwd: root, record, signal, input: transaction });
      await Promise.all(
        items.map((p) =>
          runGit(['symbolic-ref', 'HEAD', `refs/heads/${p.branch}`], {
            cwd: p.path,
            record: this.recorder(run.runId, p.id),
            signal,
          }),
        ),
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      this.warn('Ready worktrees could not be used; checking out fresh ones.', {
        runId: run.runId,
        error: error instanceof Error ? error.message : String(error),
      });
      await Promise.all(
        spares.map((s, i) => this.spares.dropClaimed(root, spareDir, s, items[i]!.path)),
      );
      const made = await Promise.allSettled(
        items.map((p) => this.addWorktree(run, p.id, p.branch!, p.path, base, signal)),
      );
      const failed = made.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  private async addWorktree(
    run: RunRecord,
    sessionId: string,
    branch: string,
    path: string,
    start: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const record = this.recorder(run.runId, sessionId);
    const root = run.repoRoot;
    const exists = await revParse(`refs/heads/${branch}`, root, record);
    const args = exists
      ? ['worktree', 'add', '--quiet', '--no-checkout', path, branch]
      : ['worktree', 'add', '--quiet', '--no-checkout', '-b', branch, path, start];
    await this.serial(root, () => runGit(args, { cwd: root, record, signal }));
    await runGit(['reset', '--hard', '--quiet'], { cwd: path, record, signal });
  }

  private async removeWorktree(
    run: RunRecord,
    sessionId: string,
    deleteBranch: boolean,
  ): Promise<void> {
    const s = run.sessions[sessionId];
    if (!s?.branch) return;
    await this.dropWorktree(run, sessionId, s.path, s.branch, deleteBranch);
  }

  /**
   * The worktree folder gone (registered or half-made) and, when asked, its branch. The files go
   * first, in parallel with other removals; then `worktree prune` drops the bookkeeping.
   */
  private async dropWorktree(
    run: RunRecord,
    sessionId: string,
    path: string,
    branch: string,
    deleteBranch: boolean,
  ): Promise<void> {
    const record = this.recorder(run.runId, sessionId);
    const root = run.repoRoot;
    const spareDir = run.runDir ? join(dirname(run.runDir), SPARES_FOLDER) : null;
    const recycled = spareDir !== null && (await this.spares.recycle(root, spareDir, path, record));
    if (!recycled) await rm(path, { recursive: true, force: true, maxRetries: 3 });
    await this.serial(root, async () => {
      await runGit(['worktree', 'prune'], { cwd: root, record });
      if (deleteBranch && (await revParse(`refs/heads/${branch}`, root, record))) {
        await runGit(['branch', '-D', '--quiet', branch], { cwd: root, record });
      }
    });
  }

  private serial<T>(root: string, work: () => Promise<T>): Promise<T> {
    const previous = this.adminLocks.get(root) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.adminLocks.set(root, next);
    void next
      .finally(() => {
        if (this.adminLocks.get(root) === next) this.adminLocks.delete(root);
      })
      .catch(() => undefined);
    return next;
  }

  private view(run: RunRecord, sessionId: string): SessionWorkspace | undefined {
    const s = run.sessions[sessionId];
    if (!s || s.state !== 'active') return undefined;
    return {
      sessionId,
      path: s.path,
      branch: s.branch,
      baseBranch: run.baseBranch,
      baseCommit: run.baseCommit,
    };
  }

  private require(runId: string, sessionId: string): { run: RunRecord; session: SessionRecord } {
    const run = this.runs.get(runId);
    if (!run) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Run ${runId} has no workspaces (it was not prepared with a repository, or was removed).`,
        'runId',
        runId,
      );
    }
    const session = run.sessions[sessionId];
    if (!session) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Session ${sessionId} has no workspace in run ${runId}.`,
        'sessionId',
        sessionId,
      );
    }
    if (session.state !== 'active') {
      throw new ValidationError(
        'INVALID_INPUT',
        `The workspace of session ${sessionId} was already ${session.state}.`,
        'sessionId',
        sessionId,
      );
    }
    return { run, session };
  }

  private recorder(runId: string, sessionId?: string) {
    return this.log.recorder(runId, sessionId);
  }

  private warn(text: string, details?: Record<string, unknown>): void {
    if (this.options.log) this.options.log('warn', text, details);
    else console.warn(`[workspaces] ${text}`);
  }
}

function requireId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new ValidationError(
      'INVALID_INPUT',
      `${field} must be a non-empty string of at most 200 characters.`,
      field,
      value,
    );
  }
}

function sumNumstat(z: string): DiffStat {
  const stat = { files: 0, insertions: 0, deletions: 0 };
  const parts = z.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part) continue;
    const [a = '', r = '', path = ''] = part.split('\t');
    if (path === '') i += 2;
    stat.files++;
    stat.insertions += Number(a) || 0;
    stat.deletions += Number(r) || 0;
  }
  return stat;
}

/** The run folder and its repository folder, only once empty (never someone else's files). */
function removeEmptyFolder(dir: string): void {
  for (const folder of [dir, join(dir, '..')]) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
  }
}
