import type { StoragePort } from '../port';
import { openDatabase, type OpenOptions } from './database';
import { SqliteMessageStore } from './messages';
import { SqliteSessionStore } from './sessions';

export type SqliteStorageOptions = OpenOptions;

/** The embedded adapter: one better-sqlite3 connection, WAL, migrations applied on open. */
export function createSqliteStorage(options: SqliteStorageOptions): StoragePort {
  const db = openDatabase(options);
  return {
    kind: 'sqlite',
    messages: new SqliteMessageStore(db),
    sessions: new SqliteSessionStore(db),
    async close() {
      if (db.open) db.close();
    },
  };
}
