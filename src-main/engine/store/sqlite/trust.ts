import type { TrustedContentRecord, WorkflowOriginRecord, WorkflowTrustStore } from '../port';
import type { SqliteDb } from './database';
import { guard } from './messages';

interface TrustRow {
  hash: string;
  trusted_at: number;
  trusted_by: string | null;
  name: string | null;
}

interface OriginRow {
  workflow_id: string;
  content_hash: string;
  imported_at: number;
  source: string | null;
}

function trustFromRow(row: TrustRow): TrustedContentRecord {
  const record: TrustedContentRecord = { hash: row.hash, trustedAt: row.trusted_at };
  if (row.trusted_by !== null) record.by = row.trusted_by;
  if (row.name !== null) record.name = row.name;
  return record;
}

const originFromRow = (row: OriginRow): WorkflowOriginRecord => ({
  workflowId: row.workflow_id,
  contentHash: row.content_hash,
  importedAt: row.imported_at,
  source: row.source,
});

/** Tables workflow_trust and workflow_origins (migration 4). */
export class SqliteTrustStore implements WorkflowTrustStore {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      get: db.prepare<[string], TrustRow>(`SELECT * FROM workflow_trust WHERE hash = ?`),
      trust: db.prepare<TrustRow>(`INSERT INTO workflow_trust (hash, trusted_at, trusted_by, name)
        VALUES (@hash, @trusted_at, @trusted_by, @name)
        ON CONFLICT (hash) DO UPDATE SET trusted_at = excluded.trusted_at,
          trusted_by = excluded.trusted_by, name = excluded.name`),
      revoke: db.prepare<[string]>(`DELETE FROM workflow_trust WHERE hash = ?`),
      list: db.prepare<[], TrustRow>(`SELECT * FROM workflow_trust ORDER BY trusted_at, hash`),
      mark: db.prepare<OriginRow>(`INSERT INTO workflow_origins
        (workflow_id, content_hash, imported_at, source)
        VALUES (@workflow_id, @content_hash, @imported_at, @source)
        ON CONFLICT (workflow_id) DO UPDATE SET content_hash = excluded.content_hash,
          imported_at = excluded.imported_at, source = excluded.source`),
      origin: db.prepare<[string], OriginRow>(
        `SELECT * FROM workflow_origins WHERE workflow_id = ?`,
      ),
    };
  }

  async get(hash: string): Promise<TrustedContentRecord | undefined> {
    const row = guard(() => this.s.get.get(hash));
    return row && trustFromRow(row);
  }

  async trust(record: TrustedContentRecord): Promise<void> {
    guard(() =>
      this.s.trust.run({
        hash: record.hash,
        trusted_at: record.trustedAt,
        trusted_by: record.by ?? null,
        name: record.name ?? null,
      }),
    );
  }

  async revoke(hash: string): Promise<boolean> {
    return guard(() => this.s.revoke.run(hash).changes > 0);
  }

  async list(): Promise<TrustedContentRecord[]> {
    return guard(() => this.s.list.all().map(trustFromRow));
  }

  async markImported(origin: WorkflowOriginRecord): Promise<void> {
    guard(() =>
      this.s.mark.run({
        workflow_id: origin.workflowId,
        content_hash: origin.contentHash,
        imported_at: origin.importedAt,
        source: origin.source,
      }),
    );
  }

  async origin(workflowId: string): Promise<WorkflowOriginRecord | undefined> {
    const row = guard(() => this.s.origin.get(workflowId));
    return row && originFromRow(row);
  }
}
