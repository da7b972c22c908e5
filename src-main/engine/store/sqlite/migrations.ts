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
  -- Not keyed by state: a state change (leased, acknowledged) then rewrites no receiver index entry.
  CREATE INDEX messages_receiver ON messages(receiver);
  CREATE INDEX messages_receiver_id ON messages(receiver_id);
  CREATE INDEX messages_correlation ON messages(correlation_id) WHERE correlation_id IS NOT NULL;
  CREATE INDEX messages_dead ON messages(seq) WHERE state = 'dead';
  `,
  // 2: workflows (topologies), runs (their executions, kept as history), and the event stream.
  `
  CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    workflow_revision INTEGER NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','running','completed','failed','cancelled')),
    input TEXT NOT NULL,
    result TEXT,
    error TEXT,
    sessions TEXT NOT NULL DEFAULT '{}',
    owner TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
  ) STRICT;
  CREATE INDEX runs_workflow ON runs(workflow_id, created_at);
  CREATE INDEX runs_created ON runs(created_at);
  CREATE INDEX runs_live ON runs(status) WHERE status IN ('pending','running');

  -- One row per committed batch of events (group commit): seqs first_seq..last_seq, in order.
  CREATE TABLE stream_events (
    first_seq INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX stream_events_last ON stream_events(last_seq);
  `,
  // 3: checkpoints (compressed snapshots of the whole orchestration) and the current head.
  `
  CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    automatic INTEGER NOT NULL DEFAULT 0,
    parent_id TEXT,
    run_id TEXT,
    size_bytes INTEGER NOT NULL,
    raw_size_bytes INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    codec TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}',
    data BLOB NOT NULL
  ) STRICT;
  CREATE INDEX checkpoints_created ON checkpoints(created_at);
  CREATE INDEX checkpoints_name ON checkpoints(name);

  CREATE TABLE checkpoint_head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    checkpoint_id TEXT
  ) STRICT;
  `,
  // 4: trusted workflow content (by content hash) and where imported workflows came from.
  // No foreign key to workflows: a checkpoint restore rewrites that table and must not drop origins.
  `
  CREATE TABLE workflow_trust (
    hash TEXT PRIMARY KEY,
    trusted_at INTEGER NOT NULL,
    trusted_by TEXT,
    name TEXT
  ) STRICT;

  CREATE TABLE workflow_origins (
    workflow_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    source TEXT
  ) STRICT;
  `,
  // 5: API tokens (sha256 only, never the secret) and the audit log (engine/security).
  `
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    label TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    last_used_at INTEGER
  ) STRICT;

  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    token_id TEXT,
    role TEXT,
    transport TEXT NOT NULL,
    method TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT,
    client TEXT
  ) STRICT;
  CREATE INDEX audit_log_at ON audit_log(at);
  CREATE INDEX audit_log_method ON audit_log(method, at);
  `,
  // 6: the messages table rebuilt with its state CHECK written as comparisons. SQLite evaluates
  // `IN (a list of more than two values)` through a temporary b-tree, built once per statement
  // run: every publish and every acknowledgement paid for one (a quarter of the bus's SQL cost).
  `
  CREATE TABLE messages_v6 (
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
    state TEXT NOT NULL
      CHECK (state = 'pending' OR state = 'leased' OR state = 'acknowledged' OR state = 'dead'),
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
  INSERT INTO messages_v6 SELECT * FROM messages;
  DROP TABLE messages;
  ALTER TABLE messages_v6 RENAME TO messages;
  CREATE INDEX messages_ready ON messages(priority DESC, seq) WHERE state = 'pending';
  CREATE INDEX messages_leased ON messages(lease_until) WHERE state = 'leased';
  CREATE INDEX messages_expiring ON messages(expires_at) WHERE state = 'pending' AND expires_at IS NOT NULL;
  CREATE INDEX messages_receiver ON messages(receiver);
  CREATE INDEX messages_receiver_id ON messages(receiver_id);
  CREATE INDEX messages_correlation ON messages(correlation_id) WHERE correlation_id IS NOT NULL;
  CREATE INDEX messages_dead ON messages(seq) WHERE state = 'dead';
  `,
  // 7: runs may be 'interrupted' (their engine stopped mid-run; engine.runs.resume carries on).
  `
  CREATE TABLE runs_v7 (
    id TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    workflow_revision INTEGER NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'running' OR status = 'completed'
      OR status = 'failed' OR status = 'cancelled' OR status = 'interrupted'),
    input TEXT NOT NULL,
    result TEXT,
    error TEXT,
    sessions TEXT NOT NULL DEFAULT '{}',
    owner TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
  ) STRICT;
  INSERT INTO runs_v7 SELECT * FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v7 RENAME TO runs;
  CREATE INDEX runs_workflow ON runs(workflow_id, created_at);
  CREATE INDEX runs_created ON runs(created_at);
  CREATE INDEX runs_live ON runs(status) WHERE status IN ('pending','running');
  `,
  // 8: one receiver index instead of two. Every message paid for an entry in both (the address
  // and the resolved session); lookups want "addressed to this session by id or name", which is
  // the resolved id, or the address while no session has it.
  `
  DROP INDEX messages_receiver;
  DROP INDEX messages_receiver_id;
  CREATE INDEX messages_to ON messages(coalesce(receiver_id, receiver));
  `,
  // 9: the bus's timer asks when the next delayed message becomes available; without an index it
  // read every pending message (70–120 ms at 100k pending, every 100 ms). Only messages made to
  // wait (delay, retry backoff) are in it: a plain publish is available when it is created.
  `
  CREATE INDEX messages_delayed ON messages(available_at)
    WHERE state = 'pending' AND available_at > created_at;
  `,
  // 10: the audit log in blocks, one per group commit (engine/store/sqlite/security.ts): a row
  // per call, with its two indexes, cost every mutating call about 5 µs of CPU. Existing rows
  // become blocks of one.
  `
  CREATE TABLE audit_blocks (
    first_seq INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    n INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    methods TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    tokens TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_blocks_first_at ON audit_blocks(first_at);
  INSERT INTO audit_blocks
    SELECT seq, seq, 1, at, at,
      char(10) || method || char(10),
      char(10) || outcome || char(10),
      char(10) || coalesce(token_id || char(10), ''),
      json_object(
        'a', at,
        'c', json_array(json_array(token_id, role, transport, client)),
        's', json_array(method, outcome, coalesce(detail, '')),
        'r', json_array(json(CASE WHEN detail IS NULL THEN '[0,0,0,1]' ELSE '[0,0,0,1,2]' END))
      )
    FROM audit_log;
  DROP TABLE audit_log;
  `,
  // 11: a message addressed by its receiver's id stores the id once (receiver NULL, receiver_id
  // set; sqlite/messages.ts RECEIVER). No table changes and existing rows stay valid as they are;
  // the version tells an older engine, which would read such a row as a broadcast, that this
  // database and its checkpoints are not for it.
  `-- schema 11: receiver stored once`,
  // 12: when a message was dead-lettered, so the stream's crash backfill (stream/backfill.ts) finds
  // one that died just before a crash. Messages dead before this migration keep it unknown (NULL).
  `ALTER TABLE messages ADD COLUMN dead_at INTEGER;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
