import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import { createEngine } from '../../src-main/engine';
import { migrate, openDatabase } from '../../src-main/engine/store/sqlite/database';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src-main/engine/store/sqlite/migrations';
import { tempDir } from '../helpers/temp-engine';
import { rmSync, writeFileSync } from 'node:fs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dbPath() {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir, 'o.db');
}

describe('schema migrations', () => {
  it('upgrades a database from every shipped schema version to the current one', () => {
    for (let from = 0; from < SCHEMA_VERSION; from++) {
      const path = dbPath();
      const old = new Database(path);
      migrate(old, path, MIGRATIONS.slice(0, from));
      expect(old.pragma('user_version', { simple: true })).toBe(from);
      old.close();
      const db = openDatabase({ path });
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
        name: string;
      }[];
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['sessions', 'messages', 'session_events']),
      );
      db.close();
    }
  });

  it('refuses a database written by a newer version without touching it', async () => {
    const path = dbPath();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const error = (await createEngine({ databasePath: path }).catch(
      (e) => e,
    )) as OrchestrationError;
    expect(error).toBeInstanceOf(OrchestrationError);
    expect(error.code).toBe('DB_CONNECTION_FAILED');
    expect(error.message).toMatch(/newer release/);
    const after = new Database(path);
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    expect(after.prepare(`SELECT count(*) AS n FROM sqlite_master`).get()).toEqual({ n: 0 });
    after.close();
  });

  it('rolls back a failing migration step and leaves the version as it was', () => {
    const path = dbPath();
    const db = new Database(path);
    const broken = [...MIGRATIONS, 'CREATE TABLE extra (x); SELECT * FROM no_such_table;'];
    expect(() => migrate(db, path, broken)).toThrowError(
      new RegExp(`schema version ${SCHEMA_VERSION + 1} failed`),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(
      db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'`).get(),
    ).toEqual({ n: 0 });
    db.close();
  });

  it('gives DB_CONNECTION_FAILED for a path that cannot be a database', async () => {
    const file = dbPath();
    writeFileSync(file, 'not a directory');
    const error = (await createEngine({ databasePath: join(file, 'o.db') }).catch(
      (e) => e,
    )) as OrchestrationError;
    expect(error.code).toBe('DB_CONNECTION_FAILED');
  });

  it('validates engine options', async () => {
    const error = (await createEngine({} as never).catch((e) => e)) as OrchestrationError;
    expect(error.code).toBe('MISSING_FIELD');
    expect(error.message).toMatch(/databasePath/);
  });
});
