/**
 * Checkpoints leaving or entering this database: fork (the state into a new database, a separate
 * timeline) and import of a portable file (validated as thoroughly as a restore).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ValidationError } from '../../../src-shared/errors';
import { newId } from '../ids';
import type { CheckpointMeta, ReplaceResult } from '../store/port';
import type { WorkflowDefinition } from '../../../src-shared/workflow';
import { decode, rowObjects, summarize, type Payload } from './codec';
import { readFile } from './portable';
import type { Checkpoint, CheckpointDeps, ForkResult } from './types';

export async function forkInto(
  deps: CheckpointDeps,
  meta: Checkpoint,
  payload: Payload,
  databasePath: unknown,
): Promise<ForkResult> {
  const path = databasePath;
  if (typeof path !== 'string' || path.length === 0 || path === ':memory:') {
    throw new ValidationError(
      'MISSING_FIELD',
      'fork needs a databasePath for the new timeline.',
      'databasePath',
      path,
    );
  }
  if (existsSync(path)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `${path} exists; fork writes a new database.`,
      'databasePath',
      path,
    );
  }
  try {
    const storage = deps.openStorage(path);
    let replaced: ReplaceResult;
    try {
      storage.checkpoints.check(payload);
      replaced = await storage.checkpoints.replace(payload, {
        liveRunOwner: null,
        reason: `forked from checkpoint "${meta.name}"`,
        now: deps.now(),
        takenAt: payload.createdAt,
      });
      await storage.checkpoints.insert(meta, (await deps.store.data(meta.id))!, { head: true });
    } finally {
      await storage.close();
    }
    // The checkpoint holds what was not acknowledged yet; a run resumed in the fork also reads
    // what its sessions had sent and handled by then.
    const history = await deps.store.copyHistoryInto(path, payload.maxMessageSeq);
    return {
      databasePath: path,
      fromCheckpoint: meta.id,
      sessions: replaced.sessions,
      messages: replaced.messages,
      history,
      liveRuns: replaced.liveRuns,
    };
  } catch (error) {
    // All or nothing: a half-written fork would be refused as existing by the next try.
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    throw error;
  }
}

/** Reads, validates and stores a portable file; the same checkpoint twice returns the stored one. */
export async function importFile(
  deps: CheckpointDeps,
  file: Buffer | string,
  checkSize: (bytes: number) => void,
): Promise<Checkpoint> {
  const bytes = typeof file === 'string' ? readFileSync(file) : file;
  if (!Buffer.isBuffer(bytes)) {
    throw new ValidationError(
      'INVALID_INPUT',
      'importCheckpoint needs a Buffer or a file path.',
      'file',
    );
  }
  const { header, data } = readFile(bytes);
  const meta = header.checkpoint;
  const payload = await decode(data, meta, deps.store.dbSchemaVersion);
  deps.store.check(payload, { thorough: true });
  const existing = await deps.store.get(meta.id);
  if (existing && existing.checksum === meta.checksum) return existing;
  const parent = meta.parentId && (await deps.store.get(meta.parentId)) ? meta.parentId : null;
  const imported: CheckpointMeta = {
    ...meta,
    id: existing ? newId() : meta.id,
    automatic: false,
    parentId: parent,
    sizeBytes: data.length,
    summary: summarize(payload),
  };
  checkSize(data.length);
  await deps.markImportedWorkflows?.(
    rowObjects(payload.workflows).map((w) => ({
      id: String(w.id),
      definition: JSON.parse(String(w.definition)) as WorkflowDefinition,
    })),
    `checkpoint "${meta.name}"`,
  );
  await deps.store.insert(imported, data);
  return imported;
}
