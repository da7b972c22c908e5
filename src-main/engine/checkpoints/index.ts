/**
 * engine.checkpoints: snapshot and restore the whole orchestration — every session's status and
 * state, the topology (workflows), the runs, and every unacknowledged message — plus search,
 * validation, retention, compare, fork and portable export/import. Operations that change the
 * checkpoint chain or the state run one at a time.
 */
import { writeFileSync } from 'node:fs';
import {
  OrchestrationError,
  ValidationError,
  toOrchestrationError,
} from '../../../src-shared/errors';
import { validate } from '../../../src-shared/validate';
import { newId } from '../ids';
import type { CheckpointMeta, SnapshotTables } from '../store/port';
import {
  CHECKPOINT_FORMAT,
  DEFAULT_CODEC,
  compressionSpec,
  decode,
  encode,
  summarize,
  type Codec,
  type Payload,
} from './codec';
import { compareSnapshots, type CheckpointComparison } from './compare';
import { writeFile } from './portable';
import { forkInto, importFile } from './transfer';
import { preRestoreName } from './labels';
import { historyWarning } from './lineage';
import { previewRestore, type RestorePreview } from './preview';
import { cancelLiveRuns, drainDeliveries, sessionIds, settleRestoredRuns } from './restore';
import {
  checkpointOptionsSchema,
  checkpointQuerySchema,
  createCheckpointSchema,
  restoreOptionsSchema,
  type CheckpointOptions,
  type CheckpointQueryInput,
  type CreateCheckpointInput,
  type RestoreOptions,
} from './schemas';
import type {
  Checkpoint,
  CheckpointDeps,
  CheckpointExtension,
  CheckpointStats,
  ForkResult,
  RestoreConflict,
  RestoreResult,
  ValidationReport,
} from './types';

export type * from './types';
export type {
  CheckpointComparison,
  CheckpointOptions,
  CheckpointQueryInput,
  CreateCheckpointInput,
  RestoreOptions,
};
export { AutoCheckpoints } from './auto';

const DAY_MS = 86_400_000;

/** A snapshot of the tables with what the extensions captured. */
type Captured = SnapshotTables & Pick<Payload, 'extensions'>;
export const DEFAULT_MAX_SIZE_BYTES = 100 * 1024 * 1024;

export type ResolvedCheckpointOptions = Required<CheckpointOptions>;

/** Validated options with defaults: automatic checkpoints off, 30 days, 100 MB, gzip. */
export function resolveCheckpointOptions(
  options: CheckpointOptions = {},
): ResolvedCheckpointOptions {
  const o = validate(checkpointOptionsSchema, options, 'checkpoint options');
  return {
    autoIntervalMs: o.autoIntervalMs ?? 0,
    onRunEnd: o.onRunEnd ?? false,
    retentionDays: o.retentionDays ?? 30,
    maxSizeBytes: o.maxSizeBytes ?? DEFAULT_MAX_SIZE_BYTES,
    codec: o.codec ?? DEFAULT_CODEC,
    drainMs: o.drainMs ?? 2_000,
  };
}

export class CheckpointService {
  constructor(
    private readonly deps: CheckpointDeps,
    readonly options: ResolvedCheckpointOptions = resolveCheckpointOptions(),
  ) {}

  private chain: Promise<unknown> = Promise.resolve();
  private readonly extensions: CheckpointExtension[] = [];
  private restoringNow = false;
  private closed = false;

  /**
   * Records and restores `extension`'s state with every checkpoint from now on (see
   * CheckpointExtension). Names are unique: INVALID_INPUT for a name already registered.
   */
  extend(extension: CheckpointExtension): void {
    if (this.extensions.some((e) => e.name === extension.name)) {
      throw new ValidationError(
        'INVALID_INPUT',
        `A checkpoint extension named "${extension.name}" is already registered.`,
        'name',
        extension.name,
      );
    }
    this.extensions.push(extension);
  }

  /** A checkpoint is likely soon (a run is under way): the store gets ready for a large one. */
  warm(): void {
    if (!this.closed) this.deps.store.warm?.();
  }

  /** True while a restore replaces the state (automatic checkpoints wait). */
  get restoring(): boolean {
    return this.restoringNow;
  }

  /** A consistent snapshot (one read transaction), compressed and checksummed. */
  create(input: CreateCheckpointInput): Promise<Checkpoint> {
    const parsed = validate(createCheckpointSchema, input, 'checkpoint');
    return this.exclusive(async () => {
      if (parsed.runId !== undefined) await this.deps.runs.require(parsed.runId);
      const tables = await this.snapshot();
      const checkpoint = await this.save(tables, { ...parsed, automatic: false });
      await this.prune();
      return checkpoint;
    });
  }

  /** An automatic checkpoint (kept for retentionDays). */
  createAutomatic(name: string, runId?: string): Promise<Checkpoint> {
    return this.exclusive(async () => {
      const tables = await this.snapshot();
      const checkpoint = await this.save(tables, { name, runId, tags: ['auto'], automatic: true });
      await this.prune();
      return checkpoint;
    });
  }

  async get(id: string): Promise<Checkpoint | undefined> {
    return this.deps.store.get(requireId(id));
  }

  async require(id: string): Promise<Checkpoint> {
    const found = await this.get(id);
    if (!found)
      throw new ValidationError('INVALID_INPUT', `No checkpoint with id "${id}".`, 'id', id);
    return found;
  }

  /** Newest first; name matches a part, case-insensitively; from/to bound the creation time. */
  async list(query: CheckpointQueryInput = {}): Promise<Checkpoint[]> {
    const q = validate(checkpointQuerySchema, query, 'checkpoint query');
    return this.deps.store.list({ ...q, limit: q.limit ?? 100 });
  }

  search(query: CheckpointQueryInput): Promise<Checkpoint[]> {
    return this.list(query);
  }

  delete(id: string): Promise<boolean> {
    return this.exclusive(() => this.deps.store.delete(requireId(id)));
  }

  /** Checksum, format, decompression and fit with this database; never throws for a bad checkpoint. */
  async validate(id: string): Promise<ValidationReport> {
    const meta = await this.require(id);
    try {
      this.deps.store.check(await this.load(meta), { thorough: true });
      return { id, valid: true, errors: [] };
    } catch (error) {
      return { id, valid: false, errors: [toOrchestrationError(error).message] };
    }
  }

  async stats(): Promise<CheckpointStats> {
    const t = await this.deps.store.totals();
    return {
      count: t.count,
      automatic: t.automatic,
      named: t.count - t.automatic,
      totalBytes: t.bytes,
      oldest: t.oldest,
      newest: t.newest,
      head: await this.deps.store.head(),
      retentionDays: this.options.retentionDays,
      maxSizeBytes: this.options.maxSizeBytes,
    };
  }

  /** Deletes automatic checkpoints older than the retention; named ones stay. */
  async prune(now = this.deps.now()): Promise<string[]> {
    return this.deps.store.prune(now - this.options.retentionDays * DAY_MS);
  }

  /**
   * Puts the whole orchestration back to the checkpoint. Validates first (INVALID_FORMAT: nothing
   * touched), saves the current state as an automatic checkpoint (undo), cancels live runs, waits
   * for deliveries in flight, replaces the state in one transaction, and resumes delivery.
   */
  restore(id: string, options: RestoreOptions = {}): Promise<RestoreResult> {
    const o = validate(restoreOptionsSchema, options, 'restore options');
    return this.exclusive(async () => {
      const meta = await this.require(id);
      const target = await this.load(meta);
      this.deps.store.check(target);
      this.restoringNow = true;
      try {
        return await this.restoreNow(meta, target, o.preserveCurrentState ?? true);
      } finally {
        this.restoringNow = false;
      }
    });
  }

  /** What restoring `id` would change now (for a confirmation); validates the checkpoint, changes nothing. */
  async preview(id: string): Promise<RestorePreview> {
    const meta = await this.require(id);
    const target = await this.load(meta);
    this.deps.store.check(target);
    const current = await this.deps.store.snapshot({ messages: false });
    const live = [
      ...(await this.deps.runs.list({ status: 'running', limit: 10_000 })),
      ...(await this.deps.runs.list({ status: 'pending', limit: 10_000 })),
    ];
    return previewRestore(
      meta,
      current,
      target,
      live.map((r) => r.id),
      await historyWarning(this.deps.store, meta),
    );
  }

  /** What changed from checkpoint `a` to checkpoint `b`. */
  async compare(a: string, b: string, limit = 1_000): Promise<CheckpointComparison> {
    const [ma, mb] = await Promise.all([this.require(a), this.require(b)]);
    const [pa, pb] = await Promise.all([this.load(ma), this.load(mb)]);
    const unpacked = (p: Payload): Payload => ({
      ...p,
      messages: { columns: p.messages.columns, rows: this.deps.store.unpack(p.messages) },
    });
    return compareSnapshots(
      { id: a, payload: unpacked(pa) },
      { id: b, payload: unpacked(pb) },
      limit,
    );
  }

  /**
   * A new, separate timeline: the checkpoint's state in a fresh database at `databasePath`, beside
   * the current one (open it with createEngine). Live runs in it are marked interrupted on open.
   */
  fork(id: string, target: { databasePath: string }): Promise<ForkResult> {
    // Exclusive: a restore meanwhile would change the history the fork copies.
    return this.exclusive(async () => {
      const meta = await this.require(id);
      const payload = await this.load(meta);
      return forkInto(this.deps, meta, payload, target?.databasePath);
    });
  }

  /** The portable file (validated first); also written to `path` when given. */
  async exportCheckpoint(id: string, options: { path?: string } = {}): Promise<Buffer> {
    const meta = await this.require(id);
    await this.load(meta);
    const file = writeFile(meta, (await this.deps.store.data(meta.id))!, this.deps.now());
    if (options.path) writeFileSync(options.path, file);
    return file;
  }

  /** Reads a portable file (a Buffer or a path), validates it all, and stores it as a named checkpoint. */
  importCheckpoint(file: Buffer | string): Promise<Checkpoint> {
    return this.exclusive(() => importFile(this.deps, file, (bytes) => this.checkSize(bytes)));
  }

  private async restoreNow(
    meta: Checkpoint,
    target: Payload,
    preserve: boolean,
  ): Promise<RestoreResult> {
    const { deps } = this;
    const conflicts: RestoreConflict[] = [];
    const warnings: string[] = [];
    // Before the undo checkpoint is saved: that moves the head.
    const lostHistory = await historyWarning(deps.store, meta);
    if (lostHistory) warnings.push(lostHistory);
    let preRestore: Checkpoint | null = null;
    // The undo keeps the acknowledged history this restore rewinds: everything from the
    // checkpoint's oldest unacknowledged message on (what the restore deletes or re-pends).
    const current = preserve
      ? await this.snapshot({ acknowledgedFromSeq: rewindsFrom(target) })
      : await this.deps.store.snapshot({ messages: false });
    if (preserve) {
      preRestore = await this.save(current, {
        name: preRestoreName(meta),
        description: `The state just before checkpoint ${meta.id} was restored; restore this to undo.`,
        tags: ['auto', 'pre-restore'],
        automatic: true,
      });
    }
    describeDiscarded(current, target, conflicts);
    const reason = `checkpoint "${meta.name}" restored`;
    await cancelLiveRuns(deps, reason, conflicts, warnings);
    await drainDeliveries(deps, this.options.drainMs, warnings);

    const marker = `restored:${meta.id}`;
    const replaced = await deps.store.replace(target, {
      liveRunOwner: marker,
      reason: `restored from checkpoint "${meta.name}"`,
      now: deps.now(),
      takenAt: target.createdAt,
      head: meta.id,
    });
    // Before anything else runs: a late handler's outcome must not reach the restored copies.
    deps.abandonDeliveries();
    await deps.sessions.prime();
    for (const extension of this.extensions) {
      await extension
        .restore(target.extensions?.[extension.name], {
          checkpointId: meta.id,
          liveRuns: replaced.liveRuns,
        })
        .then((notes) => warnings.push(...(notes ?? [])))
        .catch((error: unknown) =>
          warnings.push(
            `${extension.name} was not restored: ${toOrchestrationError(error).message}`,
          ),
        );
    }
    await settleRestoredRuns(deps, replaced, marker, conflicts, warnings);
    const leased = summarize(target).leased ?? 0;
    if (leased > 0)
      warnings.push(
        `${leased} message(s) were in flight at the checkpoint; they are pending again and will be delivered again.`,
      );
    for (const session of await deps.sessions.list()) deps.events.emit('session.updated', session);
    return {
      success: true,
      restoredFrom: meta.id,
      preRestoreCheckpointId: preRestore?.id ?? null,
      conflicts,
      warnings,
      restored: {
        sessions: replaced.sessions,
        messages: replaced.messages,
        workflows: target.workflows.rows.length,
        runs: target.runs.rows.length,
      },
    };
  }

  /** The tables, then what each extension captures beside them. */
  private async snapshot(options?: { acknowledgedFromSeq?: number }): Promise<Captured> {
    const tables = await this.deps.store.snapshot({
      ...options,
      compress: compressionSpec(this.options.codec as Codec),
    });
    if (this.extensions.length === 0) return tables;
    const captured: Record<string, unknown> = {};
    for (const extension of this.extensions) captured[extension.name] = await extension.capture();
    return { ...tables, extensions: captured };
  }

  private async save(
    tables: Captured,
    input: {
      name: string;
      description?: string;
      tags?: string[];
      runId?: string;
      automatic: boolean;
    },
  ): Promise<Checkpoint> {
    const createdAt = this.deps.now();
    const payload: Payload = { format: CHECKPOINT_FORMAT, createdAt, ...tables };
    const encoded = await encode(payload, this.options.codec as Codec);
    this.checkSize(encoded.data.length);
    const meta: CheckpointMeta = {
      id: newId(),
      name: input.name,
      description: input.description ?? null,
      tags: input.tags ?? [],
      createdAt,
      automatic: input.automatic,
      parentId: await this.deps.store.head(),
      runId: input.runId ?? null,
      sizeBytes: encoded.data.length,
      rawSizeBytes: encoded.rawSizeBytes,
      checksum: encoded.checksum,
      schemaVersion: CHECKPOINT_FORMAT,
      codec: encoded.codec,
      summary: summarize(tables),
    };
    await this.deps.store.insert(meta, encoded.data, { head: true });
    return meta;
  }

  private checkSize(bytes: number): void {
    if (bytes <= this.options.maxSizeBytes) return;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new ValidationError(
      'INVALID_INPUT',
      `The checkpoint would take ${mb(bytes)} MB compressed; the limit is ${mb(this.options.maxSizeBytes)} MB ` +
        '(checkpoints.maxSizeBytes). Nothing was saved: drain or dead-letter part of the queue, or raise the limit.',
      'maxSizeBytes',
      this.options.maxSizeBytes,
      { details: { sizeBytes: bytes, limitBytes: this.options.maxSizeBytes } },
    );
  }

  private async load(meta: Checkpoint): Promise<Payload> {
    const data = await this.deps.store.data(meta.id);
    if (!data) throw new OrchestrationError('INVALID_INPUT', `Checkpoint ${meta.id} has no data.`);
    return decode(data, meta, this.deps.store.dbSchemaVersion);
  }

  /**
   * Refuses new creates, restores, deletes and imports, and resolves once those already accepted
   * have finished (the engine closes its storage only then, not under a snapshot or a restore).
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new OrchestrationError(
          'SERVICE_UNAVAILABLE',
          'The engine is closing; checkpoints can no longer change. Open a new engine.',
        ),
      );
    }
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** Sessions that will disappear and mail that will be rewound, as restore conflicts. */
function describeDiscarded(
  current: SnapshotTables,
  target: SnapshotTables,
  conflicts: RestoreConflict[],
) {
  const keep = sessionIds(target);
  const idAt = current.sessions.columns.indexOf('id');
  const nameAt = current.sessions.columns.indexOf('name');
  for (const row of current.sessions.rows) {
    const id = row[idAt] as string;
    if (!keep.has(id)) {
      conflicts.push({
        kind: 'session-removed',
        id,
        detail: `Session "${String(row[nameAt])}" did not exist at the checkpoint; it is removed.`,
      });
    }
  }
  const newer = current.maxMessageSeq - target.maxMessageSeq;
  if (newer > 0) {
    conflicts.push({
      kind: 'messages-discarded',
      detail: `Up to ${newer} message(s) published after the checkpoint are discarded.`,
    });
  }
}

/** The first message seq a restore to `target` may change. */
function rewindsFrom(target: SnapshotTables): number {
  const at = target.messages.columns.indexOf('seq');
  let first = target.messages.firstSeq ?? target.maxMessageSeq + 1;
  for (const row of target.messages.rows) first = Math.min(first, row[at] as number);
  return first;
}

function requireId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('MISSING_FIELD', 'A checkpoint id is required.', 'id', id);
  }
  return id;
}
