/**
 * Schema migrations, applied in order by PRAGMA user_version, each in its own transaction.
 * Never edit a shipped migration: append a new one. test/store/migrations.test.ts upgrades
 * a database from every shipped version.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: sessions, their status history, and the message queue.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('director','department','observer')),
    name TEXT NOT NULL UNIQUE,
    workspace TEXT,
    status TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '{}',
    timeout_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_heartbeat_at INTEGER,
    error TEXT
  ) STRICT;
  CREATE INDEX sessions_status ON sessions(status);

  CREATE TABLE session_events (
    seq INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    reason TEXT
  ) STRICT;
  CREATE INDEX session_events_session ON session_events(session_id, seq);

  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    priority INTEGER NOT NULL,
    sender TEXT NOT NULL,
    receiver TEXT,
    receiver_id TEXT,
    created_at INTEGER NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    tags TEXT,
    correlation_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending','leased','acknowledged','dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL,
    available_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease_owner TEXT,
    delivered_at INTEGER,
    acknowledged_at INTEGER,
    failure_reason TEXT,
    requires_response INTEGER NOT NULL DEFAULT 0,
    response_deadline INTEGER,
    expires_at INTEGER
  ) STRICT;
  CREATE INDEX messages_ready ON messages(priority DESC, seq) WHERE state = 'pending';
  CREATE INDEX messages_leased ON messages(lease_until) WHERE state = 'leased';
  CREATE INDEX messages_expiring ON messages(expires_at) WHERE state = 'pending' AND expires_at IS NOT NULL;
  CREATE INDEX messages_receiver ON messages(receiver, state);
  CREATE INDEX messages_receiver_id ON messages(receiver_id, state);
  CREATE INDEX messages_correlation ON messages(correlation_id) WHERE correlation_id IS NOT NULL;
  CREATE INDEX messages_dead ON messages(seq) WHERE state = 'dead';
  CREATE INDEX messages_delayed ON messages(available_at) WHERE state = 'pending';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
