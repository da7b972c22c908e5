/**
 * Shared write transactions. A busy bus used to open three per turn of the event loop (its
 * publishes, the acknowledgements of what it delivered, the event stream's batch), and each
 * BEGIN … COMMIT costs about as much as a hundred row writes. Writes that can wait a turn
 * (acknowledgements, stream batches) are queued with `defer`; they ride in the next transaction
 * the connection opens through `transaction` — in a busy bus, the next publish commit — or, if
 * none opens before the next turn, in one of their own.
 *
 * Each write keeps its own outcome: it runs in a savepoint, so one that fails (or a publish
 * refused with QUEUE_FULL) rolls back alone. A deferred write's promise settles only once the
 * transaction that carried it is committed, so nothing is reported durable before it is.
 */
import type { Transaction } from 'better-sqlite3';
import type { SqliteDb } from './database';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any transaction function
type Fn = Transaction<(...args: any[]) => unknown>;

interface Deferred {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class SharedWrites {
  private queue: Deferred[] = [];
  private scheduled = false;
  private readonly outer;

  constructor(private readonly db: SqliteDb) {
    this.outer = db.transaction((queued: Deferred[], main: (() => unknown) | undefined) => {
      const outcomes = queued.map((d) => attempt(d.run));
      return { outcomes, main: main && attempt(main) };
    });
  }

  /** Queues `fn(...args)`; `fn` is a better-sqlite3 transaction function, so it gets its own savepoint. */
  defer<A extends unknown[], T>(fn: Transaction<(...args: A) => T>, ...args: A): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => (fn as Fn)(...args);
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Runs `fn(...args)` (a better-sqlite3 transaction function) in an IMMEDIATE transaction
   * together with every queued write, and returns its result or throws its error.
   */
  transaction<A extends unknown[], T>(fn: Transaction<(...args: A) => T>, ...args: A): T {
    if (this.queue.length === 0 || this.db.inTransaction) return fn.immediate(...args);
    const result = this.commit(() => (fn as Fn)(...args));
    if (!result!.ok) throw result!.error;
    return result!.value as T;
  }

  /** Writes whatever is queued now (on its own if nothing carried it). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length > 0 && this.db.open) this.commit(undefined);
  }

  private commit(main: (() => unknown) | undefined): Outcome | undefined {
    const queued = this.queue;
    this.queue = [];
    let done: { outcomes: Outcome[]; main: Outcome | undefined };
    try {
      done = this.outer.immediate(queued, main);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing was written.
      for (const d of queued) d.reject(error);
      return { ok: false, error };
    }
    done.outcomes.forEach((o, i) => {
      if (o.ok) queued[i]!.resolve(o.value);
      else queued[i]!.reject(o.error);
    });
    return done.main;
  }
}

function attempt(run: () => unknown): Outcome {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}
