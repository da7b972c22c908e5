/**
 * Group commit: every submission made in the same turn of the event loop is written by one
 * `commit` call (one transaction, one WAL append), and each submitter's promise settles only
 * after that commit. Throughput then does not pay one commit per message.
 */
export type GroupResult<R> = R[] | Error;

interface Pending<T, R> {
  items: T[];
  /** submitOne: resolved with the single result, not an array (no wrapper closure per call). */
  one: boolean;
  resolve: (value: R[] | R) => void;
  reject: (error: Error) => void;
}

export class GroupCommit<T, R> {
  private pending: Pending<T, R>[] = [];
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();

  /** `commit` gets every group of the turn and answers per group, in order. */
  constructor(private readonly commit: (groups: T[][]) => Promise<GroupResult<R>[]>) {}

  submit(items: T[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.pending.push({
        items,
        one: false,
        resolve: resolve as Pending<T, R>['resolve'],
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** One item; resolves with its own result. */
  submitOne(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({
        items: [item],
        one: true,
        resolve: resolve as Pending<T, R>['resolve'],
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  get size(): number {
    return this.pending.length;
  }

  /** Commits whatever is waiting now; resolves when it (and any earlier flush) is done. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.running;
    this.running = this.running.then(async () => {
      let results: GroupResult<R>[];
      try {
        results = await this.commit(batch.map((p) => p.items));
      } catch (error) {
        results = batch.map(() => error as Error);
      }
      batch.forEach((p, i) => {
        const result = results[i];
        if (result instanceof Error) p.reject(result);
        else if (p.one) p.resolve(result![0]!);
        else p.resolve(result ?? []);
      });
    });
    return this.running;
  }
}
