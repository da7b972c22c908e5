/**
 * engine.stream: one ordered, durable, resumable stream of everything the UI shows (messages,
 * sessions, runs, runner logs). Each event gets the next seq at once; the events of one turn of
 * the event loop are written in one transaction (group commit) and then handed to subscribers as
 * one batch, so a subscriber only ever sees events that are already durable and `since(seq)`
 * after a reconnect returns exactly what it missed.
 *
 * Resume without a gap: subscribe first, then `since(lastSeenSeq)`, and drop any event whose seq
 * you already have (the two may overlap by a batch).
 */
import { ValidationError } from '../../../src-shared/errors';
import type { StreamEvent, StreamEventBody } from '../../../src-shared/stream';
import type { StreamBatchRecord, StreamStore } from '../store/port';
import { decodeBatch, encodeBatch } from './codec';

const BATCHES_PER_READ = 32;

function runOf(event: StreamEvent): string | null {
  if (event.kind === 'message.published') return event.message.runId;
  return 'runId' in event ? event.runId : null;
}

export type StreamListener = (batch: readonly StreamEvent[]) => void;

export class EventStream {
  private pending: StreamEvent[] = [];
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<StreamListener>();
  private delivered: number;
  private closed = false;

  private constructor(
    private readonly store: StreamStore,
    private assigned: number,
    private readonly now: () => number,
  ) {
    this.delivered = assigned;
  }

  static async open(store: StreamStore, now: () => number): Promise<EventStream> {
    return new EventStream(store, await store.lastSeq(), now);
  }

  /** Queues an event (a fresh object: it is stamped in place); it is written and delivered with the rest of this turn's events. */
  push(body: StreamEventBody): void {
    if (this.closed) return;
    // Stamped in place, not copied: the feed builds a fresh object per event, and a spread copy
    // per event was the largest cost the stream added to a busy bus.
    const event = body as StreamEvent;
    event.seq = ++this.assigned;
    event.at = this.now();
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** The seq of the last event written and delivered to subscribers. */
  lastSeq(): number {
    return this.delivered;
  }

  /**
   * Events after `seq`, oldest first (at most `limit`; page on with the last seq you got).
   * With `runId`, only that run's events (a scan of the stream from `seq`).
   */
  async since(seq: number, limit = 1_000, runId?: string): Promise<StreamEvent[]> {
    if (!Number.isInteger(seq) || seq < 0) {
      throw new ValidationError('INVALID_INPUT', 'seq must be a whole number ≥ 0.', 'seq', seq);
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ValidationError('INVALID_INPUT', 'limit must be 1–10,000.', 'limit', limit);
    }
    await this.flush();
    const out: StreamEvent[] = [];
    let after = seq;
    for (;;) {
      const batches = await this.store.since(after, BATCHES_PER_READ);
      for (const batch of batches) {
        for (const event of decodeBatch(batch.body)) {
          if (event.seq <= seq || (runId !== undefined && runOf(event) !== runId)) continue;
          out.push(event);
          if (out.length === limit) return out;
        }
        after = batch.lastSeq;
      }
      if (batches.length < BATCHES_PER_READ) return out;
    }
  }

  /** Live batches, in seq order, one per turn of the event loop. Returns the unsubscribe function. */
  subscribe(listener: StreamListener): () => void {
    if (typeof listener !== 'function') {
      throw new ValidationError(
        'INVALID_INPUT',
        'subscribe needs a listener function.',
        'listener',
        listener,
      );
    }
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Writes what is queued; resolves once it (and every earlier batch) is written and delivered. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return this.writing;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      const record: StreamBatchRecord = {
        firstSeq: batch[0]!.seq,
        lastSeq: batch[batch.length - 1]!.seq,
        at: batch[0]!.at,
        count: batch.length,
        body: encodeBatch(batch),
      };
      try {
        await this.store.append([record]);
      } catch (error) {
        // Live viewers still get the batch; only a later resume over this range would miss it.
        console.error('orchestration: writing the event stream failed', error);
      }
      this.delivered = batch[batch.length - 1]!.seq;
      for (const listener of this.listeners) {
        try {
          listener(batch);
        } catch (error) {
          console.error('orchestration: an event stream listener threw', error);
        }
      }
    });
    return this.writing;
  }

  /** Writes what is queued and stops accepting events. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.listeners.clear();
  }
}

export { feedStream } from './feed';
