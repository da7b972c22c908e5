/**
 * A snapshot as data: the SQL a checkpoint reads in one read transaction, so the same snapshot
 * runs on the main connection or, for a database file, on a worker thread's own connection
 * (snapshot-worker.ts runs plans with its own copy of `runPlan`: a worker evaluates plain
 * JavaScript). Steps run in order; a step with `if` runs only when that column of an earlier
 * `get` step's row is truthy.
 */
import type { SqliteDb } from './database';

export interface PlanStep {
  /** 'rows': every row as arrays, with the column names; 'get': the first row; 'run': no result. */
  kind: 'rows' | 'get' | 'run';
  sql: string;
  args?: unknown[];
  /** Where the result goes (rows, get). */
  as?: string;
  /** `step.column`: run only when that value is truthy. */
  if?: string;
}

export interface SnapshotPlan {
  /** An in-memory database attached for the steps to fill, with this page size. */
  attach?: { schema: string; pageSize: number };
  steps: PlanStep[];
  /** Serialise the attached database once the steps ran (still in the transaction). */
  serialize?: boolean;
}

export type PlanResults = Record<string, unknown>;

function holds(results: PlanResults, condition: string): boolean {
  const [step, column] = condition.split('.');
  return Boolean((results[step!] as Record<string, unknown> | undefined)?.[column!]);
}

/** Runs `plan` on `db` in one deferred transaction; the attached database's image when asked. */
export function runPlan(
  db: SqliteDb,
  plan: SnapshotPlan,
): { results: PlanResults; image: Buffer | undefined } {
  const results: PlanResults = {};
  const steps = db.transaction(() => {
    for (const step of plan.steps) {
      if (step.if && !holds(results, step.if)) continue;
      const stmt = db.prepare(step.sql);
      const args = step.args ?? [];
      if (step.kind === 'rows') {
        results[step.as!] = {
          columns: stmt.columns().map((c) => c.name),
          rows: stmt.raw(true).all(...args),
        };
      } else if (step.kind === 'get') results[step.as!] = stmt.get(...args);
      else stmt.run(...args);
    }
    return plan.serialize && plan.attach
      ? db.serialize({ attached: plan.attach.schema })
      : undefined;
  });
  if (!plan.attach) return { results, image: steps.deferred() };
  // ATTACH cannot run inside a transaction.
  db.exec(`ATTACH ':memory:' AS ${plan.attach.schema}`);
  try {
    db.exec(`PRAGMA ${plan.attach.schema}.page_size = ${plan.attach.pageSize}`);
    return { results, image: steps.deferred() };
  } finally {
    db.exec(`DETACH ${plan.attach.schema}`);
  }
}
