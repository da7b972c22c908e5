/**
 * Streams engine events to one connection. Live events are batched into at most one frame per
 * tick (~16 ms, an animation frame), so a UI redraws once per batch however fast the bus runs.
 * Resume: subscribe to live first, then replay `since(sinceSeq)` from the durable stream, and
 * drop live events already replayed (the two may overlap). When a connection falls far behind,
 * the in-memory buffer is dropped and the pump pages from the durable stream instead, so a
 * slow client costs bounded memory and still misses nothing.
 *
 * A viewer that subscribes with `digest` gets each frame's message traffic folded into one
 * TrafficDigest (exact counts per route, a bounded sample for its log) instead of three full
 * events per message; resume and paging work the same, by seq.
 */
import { MAX_EVENTS_PER_FRAME, type EventsFrame } from '../../src-shared/protocol';
import type { StreamEvent } from '../../src-shared/stream';
import { DigestFolder } from '../engine/stream/digest';
import type { StreamService } from './services';

/** Events read from the store per page when replaying to a digest viewer. */
const DIGEST_PAGE = 10_000;

export interface EventPumpOptions {
  tickMs?: number;
  /** Live events held in memory before switching to paging from the store. */
  maxBuffered?: number;
}

export class EventPump {
  private unsubscribe: (() => void) | undefined;
  private buffer: StreamEvent[] = [];
  private cursor = 0;
  private behind = false;
  private replaying = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  /** Set while this connection is subscribed with `digest`. */
  private folder: DigestFolder | null = null;
  private readonly tickMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly stream: StreamService,
    private readonly send: (frame: EventsFrame) => void,
    private readonly onError: (error: unknown) => void,
    options: EventPumpOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 16;
    this.maxBuffered = options.maxBuffered ?? 10_000;
  }

  /**
   * (Re)starts the stream after `sinceSeq`, or from now when it is undefined; with `digest`,
   * message traffic comes folded (see the module comment).
   */
  async start(sinceSeq: number | undefined, digest = false): Promise<void> {
    this.stop();
    this.folder = digest ? new DigestFolder() : null;
    const generation = ++this.generation;
    this.replaying = true;
    this.unsubscribe = this.stream.subscribe((batch) => this.onLive(batch));
    try {
      this.cursor = sinceSeq ?? (await this.stream.lastSeq());
      if (sinceSeq !== undefined) await this.replay(generation, Infinity);
      if (generation !== this.generation) return;
      // Tell the client where it stands even when nothing was missed.
      this.send({ type: 'events', events: [], lastSeq: this.cursor });
    } catch (error) {
      this.onError(error);
    } finally {
      if (generation === this.generation) {
        this.replaying = false;
        this.schedule();
      }
    }
  }

  stop(): void {
    this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.buffer = [];
    this.behind = false;
  }

  private onLive(batch: readonly StreamEvent[]): void {
    if (this.behind) return this.schedule();
    this.buffer.push(...batch);
    if (this.buffer.length > this.maxBuffered) {
      this.buffer = [];
      this.behind = true;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.replaying || !this.unsubscribe) return;
    if (!this.behind && this.buffer.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.tickMs);
  }

  private async flush(): Promise<void> {
    if (this.behind) {
      const generation = this.generation;
      this.replaying = true;
      this.behind = false;
      try {
        // One page per tick, so a far-behind client catches up without hogging the loop.
        const more = await this.replay(generation, 1);
        if (more && generation === this.generation) this.behind = true;
      } catch (error) {
        this.onError(error);
      } finally {
        if (generation === this.generation) {
          this.replaying = false;
          this.schedule();
        }
      }
      return;
    }
    const fresh = this.buffer.filter((e) => e.seq > this.cursor);
    this.buffer = [];
    this.emit(fresh);
  }

  /** Sends up to `pages` pages from the store; true when more may follow. */
  private async replay(generation: number, pages: number): Promise<boolean> {
    // A digest folds a page's traffic into one small frame, so it can page in bigger steps.
    const size = this.folder ? DIGEST_PAGE : MAX_EVENTS_PER_FRAME;
    for (let i = 0; i < pages; i++) {
      const page = await this.stream.since(this.cursor, size);
      if (generation !== this.generation) return false;
      this.emit(page);
      if (page.length < size) {
        this.buffer = this.buffer.filter((e) => e.seq > this.cursor);
        return false;
      }
    }
    return true;
  }

  private emit(events: StreamEvent[]): void {
    if (this.folder) return this.emitDigest(this.folder, events);
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_FRAME) {
      const chunk = events.slice(i, i + MAX_EVENTS_PER_FRAME);
      this.cursor = chunk[chunk.length - 1]!.seq;
      this.send({ type: 'events', events: chunk, lastSeq: this.cursor });
    }
  }

  /** The traffic of `events` as digests, with at most MAX_EVENTS_PER_FRAME full events a frame. */
  private emitDigest(folder: DigestFolder, events: StreamEvent[]): void {
    for (let i = 0; i < events.length;) {
      const folded = folder.fold(events, i, MAX_EVENTS_PER_FRAME);
      i = folded.end;
      this.cursor = events[i - 1]!.seq;
      const frame: EventsFrame = { type: 'events', events: folded.events, lastSeq: this.cursor };
      if (folded.traffic) frame.traffic = folded.traffic;
      this.send(frame);
    }
  }
}
