/**
 * Ready worktrees ("spares"). A full checkout costs the kernel one file creation per tracked file
 * (seconds per department on a large repository; git's own work is small), so Run should not pay
 * it: spares are checked out ahead of time, in the background at the lowest CPU priority and one
 * at a time, detached at the base commit in `<repository folder>/.spares/`. prepare() claims one
 * per department, moves it into the run folder (a rename) and creates the branch there; files are
 * rewritten only where the base moved since. Clean worktrees of finished runs come back here.
 *
 * Safety: a spare is in the manifest before git creates it (a crash leaves a record that the next
 * use sweeps away); claiming is synchronous, so no two runs get the same one; how many there are
 * and their estimated disk use are capped per repository; a worktree with any change (untracked
 * files included) is never recycled.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit, type GitCommandRecord } from '../git';
import { hasAnyChanges, revParse } from './repo';

export interface SpareSettings {
  /** Ready worktrees kept per repository (and worktree root); 0 turns spares off. */
  perRepository: number;
  /** Estimated disk use of one repository's spares at most (default 2 GiB). */
  maxBytes?: number;
  /** Background refills wait this long after a Run, so its agents start first (default 2 s). */
  refillDelayMs?: number;
}

export interface SpareEntry {
  path: string;
  /** The commit the spare's files are at (HEAD, detached). */
  commit: string;
  state: 'creating' | 'ready' | 'claimed';
  /** Claimed: the department folder it is being moved to. */
  claimedAs?: string;
}

export interface SpareStatus extends SpareEntry {
  repoRoot: string;
}

interface PoolFile {
  version: 1;
  repoRoot: string;
  dir: string;
  spares: SpareEntry[];
}

type Serial = <T>(root: string, work: () => Promise<T>) => Promise<T>;
type Record_ = (entry: GitCommandRecord) => void;

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
const BLOCK = 4096;

export class SparePool {
  private readonly pools = new Map<string, PoolFile>();
  /** Entries a previous process left half-made or half-claimed: removed on the next use. */
  private readonly stale = new Set<SpareEntry>();
  private readonly wanted = new Map<string, { commit: string; count: number }>();
  private readonly filling = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly sizes = new Map<string, number>();
  private readonly stop = new AbortController();
  private readonly fileDir: string | undefined;

  constructor(
    private readonly settings: SpareSettings,
    stateDir: string | undefined,
    private readonly serial: Serial,
    private readonly warn: (text: string, details?: Record<string, unknown>) => void,
    /** Whether a run's manifest holds this folder (a claim that finished before a crash). */
    private readonly owned: (path: string) => boolean,
  ) {
    this.fileDir = stateDir ? join(stateDir, 'spares') : undefined;
    for (const pool of this.loadAll()) {
      for (const s of pool.spares) if (s.state !== 'ready') this.stale.add(s);
      this.pools.set(pool.dir, pool);
    }
  }

  get enabled(): boolean {
    return this.settings.perRepository > 0;
  }

  list(): SpareStatus[] {
    return [...this.pools.values()].flatMap((p) =>
      p.spares.map((s) => ({ ...s, repoRoot: p.repoRoot })),
    );
  }

  /**
   * A ready spare for each destination while there are some, marked claimed (with where it goes)
   * before this returns: synchronous, so two runs preparing at once never get the same one.
   * `release` forgets them once the run's manifest holds them.
   */
  take(repoRoot: string, dir: string, destinations: string[]): SpareEntry[] {
    const pool = this.pools.get(dir);
    if (!pool || pool.repoRoot !== repoRoot) return [];
    const out: SpareEntry[] = [];
    for (const s of pool.spares) {
      if (out.length === destinations.length) break;
      if (s.state === 'ready' && existsSync(s.path)) {
        s.state = 'claimed';
        s.claimedAs = destinations[out.length];
        out.push(s);
      }
    }
    if (out.length) this.save(pool);
    return out;
  }

  /** The claimed spares now belong to a run (or were dropped): the pool forgets them. */
  release(dir: string, entries: SpareEntry[]): void {
    const pool = this.pools.get(dir);
    if (!pool || entries.length === 0) return;
    pool.spares = pool.spares.filter((s) => !entries.includes(s));
    this.save(pool);
  }

  /** Fills the pool to `count` (capped) in the background, after a delay; never throws. */
  schedule(repoRoot: string, dir: string, commit: string, count: number): void {
    if (!this.enabled || this.stop.signal.aborted) return;
    this.want(dir, commit, count);
    if (this.filling.has(dir) || this.timers.has(dir)) return;
    const timer = setTimeout(() => {
      this.timers.delete(dir);
      void this.fill(repoRoot, dir);
    }, this.settings.refillDelayMs ?? 2_000);
    timer.unref();
    this.timers.set(dir, timer);
  }

  /** Fills the pool to `count` (capped) now; resolves with the number of ready spares. */
  async warm(repoRoot: string, dir: string, commit: string, count: number): Promise<number> {
    if (!this.enabled) return 0;
    this.want(dir, commit, count);
    clearTimeout(this.timers.get(dir));
    this.timers.delete(dir);
    await this.fill(repoRoot, dir);
    return this.pools.get(dir)?.spares.filter((s) => s.state === 'ready').length ?? 0;
  }

  /**
   * Takes a finished run's worktree in as a spare when the pool has room (count and disk) and the worktree has no
   * change at all: it is detached and `clean -ffdx`ed (ignored files too), so nothing of the old
   * run stays. False: the caller removes it as before.
   */
  async recycle(repoRoot: string, dir: string, from: string, record: Record_): Promise<boolean> {
    if (!this.enabled || this.stop.signal.aborted || !existsSync(from)) return false;
    const pool = this.pool(repoRoot, dir);
    if (pool.spares.filter((s) => s.state !== 'claimed').length >= this.settings.perRepository) {
      return false;
    }
    // The place is taken before any await, so parallel removals cannot overfill the pool.
    const entry: SpareEntry = {
      path: join(dir, randomUUID().slice(0, 8)),
      commit: '',
      state: 'creating',
    };
    pool.spares.push(entry);
    const commit = await hasAnyChanges(from, record).then(
      (dirty) => (dirty ? null : revParse('HEAD', from, record)),
      () => null,
    );
    const room = commit
      ? await this.cap(repoRoot, commit).then(
          (cap) => pool.spares.filter((s) => s.state !== 'claimed').length <= cap,
          () => false,
        )
      : false;
    if (!commit || !room) {
      this.forget(pool, entry);
      return false;
    }
    entry.commit = commit;
    this.save(pool);
    let moved = false;
    try {
      mkdirSync(dir, { recursive: true });
      await this.serial(repoRoot, async () => {
        await runGit(['worktree', 'move', from, entry.path], { cwd: repoRoot, record });
        moved = true;
        await runGit(['checkout', '--quiet', '--detach'], { cwd: entry.path, record });
      });
      await runGit(['clean', '-ffdxq'], { cwd: entry.path, record });
      entry.state = 'ready';
      this.save(pool);
      return true;
    } catch (error) {
      this.warn('A finished worktree could not be kept as a ready worktree; it is removed.', {
        error: error instanceof Error ? error.message : String(error),
      });
      // Not moved: the caller removes it where it is. Moved: it goes here.
      if (moved) await this.discard(pool, entry);
      else this.forget(pool, entry);
      return moved;
    }
  }

  /** A spare whose claim failed, wherever it got to (its folder or `movedTo`): removed. */
  async dropClaimed(
    repoRoot: string,
    dir: string,
    entry: SpareEntry,
    movedTo: string,
  ): Promise<void> {
    await this.removeWorktree(repoRoot, movedTo);
    await this.discard(this.pool(repoRoot, dir), entry);
  }

  /** Removes every spare (of one repository, or all): the cleanup call. */
  async drop(repoRoot?: string): Promise<void> {
    const pools = [...this.pools.values()].filter((p) => !repoRoot || p.repoRoot === repoRoot);
    for (const pool of pools) {
      this.wanted.delete(pool.dir);
      clearTimeout(this.timers.get(pool.dir));
      this.timers.delete(pool.dir);
    }
    await Promise.all(pools.map((p) => this.filling.get(p.dir)));
    for (const pool of pools) {
      await Promise.all(
        pool.spares.filter((s) => s.state !== 'claimed').map((s) => this.discard(pool, s)),
      );
    }
  }

  /** Stops background work; spares stay for the next start. */
  async close(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.stop.abort();
    await Promise.all(this.filling.values());
  }

  private want(dir: string, commit: string, count: number): void {
    const now = this.wanted.get(dir);
    const capped = Math.min(count, this.settings.perRepository);
    this.wanted.set(dir, { commit, count: Math.max(capped, now?.count ?? 0) });
  }

  /** One filler per pool: sweeps, moves ready spares to the wanted commit, makes what is missing. */
  private fill(repoRoot: string, dir: string): Promise<void> {
    const running = this.filling.get(dir);
    if (running) return running;
    const work = this.fillNow(repoRoot, dir)
      .catch((error: unknown) => {
        if (this.stop.signal.aborted) return;
        this.warn('Could not prepare ready worktrees; Run will check out as usual.', {
          repoRoot,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => this.filling.delete(dir));
    this.filling.set(dir, work);
    return work;
  }

  private async fillNow(repoRoot: string, dir: string): Promise<void> {
    const pool = this.pool(repoRoot, dir);
    const signal = this.stop.signal;
    await Promise.all(pool.spares.filter((s) => this.stale.has(s)).map((s) => this.sweep(pool, s)));
    // Nothing but the engine writes under .spares/, but a spare must be exactly its commit: one
    // with any change (untracked files included) is removed rather than handed to a run.
    for (const s of pool.spares) {
      if (s.state !== 'ready') continue;
      const status = await runGit(['status', '--porcelain', '--untracked-files=all'], {
        cwd: s.path,
        signal,
        lowPriority: true,
      }).catch(() => null);
      if (signal.aborted) return;
      if (s.state === 'ready' && status?.stdout.trim() !== '') await this.discard(pool, s);
    }
    for (;;) {
      const want = this.wanted.get(dir);
      if (!want || signal.aborted) return;
      for (const s of pool.spares) {
        if (s.state !== 'ready' || s.commit === want.commit) continue;
        // Not claimable while its files change; a crash meanwhile leaves it to the sweep.
        s.state = 'creating';
        this.save(pool);
        try {
          await runGit(['checkout', '--quiet', '--detach', want.commit], {
            cwd: s.path,
            signal,
            lowPriority: true,
          });
          s.commit = want.commit;
          s.state = 'ready';
          this.save(pool);
        } catch (error) {
          if (signal.aborted) throw error;
          await this.discard(pool, s);
        }
      }
      const have = pool.spares.filter((s) => s.state !== 'claimed').length;
      if (have >= Math.min(want.count, await this.cap(repoRoot, want.commit))) return;
      await this.create(pool, want.commit);
    }
  }

  private async create(pool: PoolFile, commit: string): Promise<void> {
    const signal = this.stop.signal;
    const entry: SpareEntry = {
      path: join(pool.dir, randomUUID().slice(0, 8)),
      commit,
      state: 'creating',
    };
    pool.spares.push(entry);
    this.save(pool);
    try {
      mkdirSync(pool.dir, { recursive: true });
      await this.serial(pool.repoRoot, () =>
        runGit(['worktree', 'add', '--quiet', '--detach', '--no-checkout', entry.path, commit], {
          cwd: pool.repoRoot,
          signal,
          lowPriority: true,
        }),
      );
      await runGit(['reset', '--hard', '--quiet'], { cwd: entry.path, signal, lowPriority: true });
      entry.state = 'ready';
      this.save(pool);
    } catch (error) {
      // Stopped by close(): the record stays 'creating' and the next start sweeps it.
      if (!signal.aborted) await this.discard(pool, entry);
      throw error;
    }
  }

  /**
   * Disk cap: each tracked file rounded up to a 4 KiB block (one ls-tree per commit); the count is
   * capped so the pool's estimate stays under maxBytes.
   */
  private async cap(repoRoot: string, commit: string): Promise<number> {
    const key = `${repoRoot}\0${commit}`;
    let bytes = this.sizes.get(key);
    if (bytes === undefined) {
      const { stdout } = await runGit(['ls-tree', '-r', '-l', '-z', commit], {
        cwd: repoRoot,
        signal: this.stop.signal,
        lowPriority: true,
      });
      bytes = 0;
      for (const line of stdout.split('\0')) {
        const size = Number(line.split(/\s+/)[3]);
        if (Number.isFinite(size)) bytes += Math.max(BLOCK, Math.ceil(size / BLOCK) * BLOCK);
      }
      this.sizes.set(key, bytes);
    }
    const max = this.settings.maxBytes ?? DEFAULT_MAX_BYTES;
    return Math.min(this.settings.perRepository, bytes > 0 ? Math.floor(max / bytes) : Infinity);
  }

  /** Left by a process that died: half-made, or claimed by a run whose manifest never got it. */
  private async sweep(pool: PoolFile, entry: SpareEntry): Promise<void> {
    if (entry.claimedAs && !this.owned(entry.claimedAs)) {
      await this.removeWorktree(pool.repoRoot, entry.claimedAs);
    }
    await this.discard(pool, entry);
  }

  /** The spare's folder and git's record of it gone, then the manifest entry. */
  private async discard(pool: PoolFile, entry: SpareEntry): Promise<void> {
    await this.removeWorktree(pool.repoRoot, entry.path);
    this.forget(pool, entry);
  }

  /** `worktree remove --force --force` also takes one a killed `worktree add` left locked. */
  private async removeWorktree(repoRoot: string, path: string): Promise<void> {
    await this.serial(repoRoot, () =>
      runGit(['worktree', 'remove', '--force', '--force', path], {
        cwd: repoRoot,
        okCodes: [128],
      }),
    ).catch(() => undefined);
    await rm(path, { recursive: true, force: true, maxRetries: 3 });
    await this.serial(repoRoot, () => runGit(['worktree', 'prune'], { cwd: repoRoot })).catch(
      () => undefined,
    );
  }

  private forget(pool: PoolFile, entry: SpareEntry): void {
    this.stale.delete(entry);
    pool.spares = pool.spares.filter((s) => s !== entry);
    this.save(pool);
  }

  private pool(repoRoot: string, dir: string): PoolFile {
    let pool = this.pools.get(dir);
    if (!pool) {
      pool = { version: 1, repoRoot, dir, spares: [] };
      this.pools.set(dir, pool);
    }
    return pool;
  }

  private fileOf(dir: string): string | undefined {
    if (!this.fileDir) return undefined;
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 16);
    return join(this.fileDir, `${hash}.json`);
  }

  /** Write-then-rename, like the run manifests; an empty pool leaves no file and no folder. */
  private save(pool: PoolFile): void {
    const file = this.fileOf(pool.dir);
    if (pool.spares.length === 0) {
      if (file) rmSync(file, { force: true });
      try {
        rmdirSync(pool.dir);
      } catch {
        // Not empty (a folder git still writes into) or already gone.
      }
      return;
    }
    if (!file) return;
    mkdirSync(this.fileDir!, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(pool, null, 2));
    renameSync(temp, file);
  }

  private loadAll(): PoolFile[] {
    if (!this.fileDir) return [];
    let names: string[];
    try {
      names = readdirSync(this.fileDir);
    } catch {
      return [];
    }
    const out: PoolFile[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const pool = JSON.parse(readFileSync(join(this.fileDir, name), 'utf8')) as PoolFile;
        if (pool?.version === 1 && typeof pool.dir === 'string' && Array.isArray(pool.spares)) {
          out.push(pool);
        }
      } catch {
        // A torn file: its spares stay visible in `git worktree list` and under .spares/.
      }
    }
    return out;
  }
}
