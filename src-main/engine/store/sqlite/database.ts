import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseError } from '../../../../src-shared/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type SqliteDb = Database.Database;

export interface OpenOptions {
  path: string;
  /**
   * 'normal' (default): WAL + synchronous=NORMAL — a commit survives a process crash or kill;
   * the last commits before a power loss may be lost. 'full': synchronous=FULL also survives power loss.
   */
  durability?: 'normal' | 'full';
  busyTimeoutMs?: number;
  /** better-sqlite3's nativeBinding, so Electron can load its own build of the addon. */
  nativeBinding?: string;
}

export function openDatabase(options: OpenOptions): SqliteDb {
  let db: SqliteDb;
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    db = new Database(
      options.path,
      options.nativeBinding ? { nativeBinding: options.nativeBinding } : undefined,
    );
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('foreign_keys = ON');
  } catch (cause) {
    throw new DatabaseError(
      'DB_CONNECTION_FAILED',
      `Cannot open the database at ${options.path}: ${(cause as Error).message}`,
      { cause, details: { path: options.path } },
    );
  }
  try {
    migrate(db, options.path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Brings the schema up to SCHEMA_VERSION; each step and its version bump commit together. */
export function migrate(
  db: SqliteDb,
  path: string,
  migrations: readonly string[] = MIGRATIONS,
): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new DatabaseError(
      'DB_CONNECTION_FAILED',
      `The database at ${path} has schema version ${current}, but this version of Orchestration Studio ` +
        `knows versions up to ${migrations.length}. It was written by a newer release: upgrade, or open a copy ` +
        `made before the upgrade. The file was not changed.`,
      { details: { path, schemaVersion: current, supportedVersion: migrations.length } },
    );
  }
  for (let version = current; version < migrations.length; version++) {
    const step = db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    });
    try {
      step.immediate();
    } catch (cause) {
      throw new DatabaseError(
        'QUERY_FAILED',
        `Migrating the database at ${path} to schema version ${version + 1} failed: ${(cause as Error).message}. ` +
          `The database was left at version ${version}.`,
        { cause, details: { path, fromVersion: version } },
      );
    }
  }
}

export { SCHEMA_VERSION };
