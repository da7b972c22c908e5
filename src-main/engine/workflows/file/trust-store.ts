/**
 * Trust remembered per content hash. The engine can back TrustStore with its database; the two
 * implementations here need none: in memory (tests, one process) and a JSON file (CLI).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AuthorizationError } from '../../../../src-shared/errors';
import type { Exportable } from './export';
import { contentHash, describeWhatItRuns } from './trust';

export interface TrustRecord {
  /** contentHash() of the trusted workflow. */
  hash: string;
  trustedAt: number;
  /** Who confirmed (user name, "cli --trust", …). */
  by?: string;
  /** The workflow's name when it was trusted, for a list a person can read. */
  name?: string;
}

export interface TrustStore {
  get(hash: string): Promise<TrustRecord | undefined>;
  trust(record: TrustRecord): Promise<void>;
  revoke(hash: string): Promise<boolean>;
  list(): Promise<TrustRecord[]>;
}

export class InMemoryTrustStore implements TrustStore {
  protected readonly records = new Map<string, TrustRecord>();

  async get(hash: string) {
    return this.records.get(hash);
  }
  async trust(record: TrustRecord) {
    this.records.set(record.hash, { ...record });
    this.changed();
  }
  async revoke(hash: string) {
    const had = this.records.delete(hash);
    if (had) this.changed();
    return had;
  }
  async list() {
    return [...this.records.values()].sort((a, b) => a.trustedAt - b.trustedAt);
  }
  protected changed(): void {}
}

/** A JSON file `{ "records": [...] }`, rewritten atomically (temp file + rename) on each change. */
export class FileTrustStore extends InMemoryTrustStore {
  constructor(private readonly path: string) {
    super();
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const data = JSON.parse(text) as { records?: TrustRecord[] };
      for (const r of data.records ?? []) {
        if (typeof r.hash === 'string') this.records.set(r.hash, r);
      }
    }
  }
  protected override changed(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ records: [...this.records.values()] }, null, 2) + '\n');
    renameSync(temp, this.path);
  }
}

export interface TrustCheckOptions {
  /** The person confirmed now (app: "Trust and run"; CLI: --trust): remember it. */
  trustNow?: boolean;
  by?: string;
  now?: () => number;
}

/**
 * Resolves when the workflow's content is trusted (or `trustNow` records it); otherwise throws
 * FORBIDDEN with the hash and what it would run, so the caller can ask the person.
 */
export async function requireTrust(
  store: TrustStore,
  workflow: Exportable,
  options: TrustCheckOptions = {},
): Promise<{ hash: string; trustedNow: boolean }> {
  const hash = contentHash(workflow);
  if (await store.get(hash)) return { hash, trustedNow: false };
  const name = 'definition' in workflow ? workflow.definition.name : workflow.name;
  if (options.trustNow) {
    await store.trust({ hash, trustedAt: (options.now ?? Date.now)(), by: options.by, name });
    return { hash, trustedNow: true };
  }
  throw new AuthorizationError(
    `Workflow "${name}" is not trusted yet: check what it would run, then trust it ` +
      '("Trust and run" in the app, --trust on the command line).',
    { details: { contentHash: hash, whatItRuns: describeWhatItRuns(workflow) } },
  );
}
