/** Event-stream plumbing shared by both modes: replay-then-live without gaps or duplicates. */
import { ValidationError } from '../../src-shared/errors';
import type { StreamEvent } from '../../src-shared/stream';
import type { EventPage, EventsListener } from './api';

const PAGE = 1_000;

/**
 * Listens live first, then (with `sinceSeq`) pages through what came after it, then hands on the
 * live events held meanwhile; every event reaches `listener` once, in seq order.
 */
export async function replayThenLive(
  live: (listener: (events: StreamEvent[]) => void) => () => void,
  since: (seq: number, limit: number) => Promise<EventPage>,
  sinceSeq: number | undefined,
  listener: EventsListener,
): Promise<() => void> {
  if (typeof listener !== 'function') {
    throw new ValidationError('INVALID_INPUT', 'subscribe needs a listener function.', 'listener');
  }
  if (sinceSeq !== undefined && (!Number.isInteger(sinceSeq) || sinceSeq < 0)) {
    throw new ValidationError('INVALID_INPUT', 'sinceSeq must be a whole number ≥ 0.', 'sinceSeq');
  }
  let last = sinceSeq ?? -1;
  let replaying = sinceSeq !== undefined;
  const held: StreamEvent[] = [];
  const emit = (events: readonly StreamEvent[]) => {
    const fresh = events.filter((e) => e.seq > last);
    if (fresh.length === 0) return;
    last = fresh[fresh.length - 1]!.seq;
    try {
      listener(fresh);
    } catch (error) {
      console.error('orchestration: an event listener threw', error);
    }
  };
  const off = live((events) => (replaying ? held.push(...events) : emit(events)));
  if (sinceSeq !== undefined) {
    try {
      for (;;) {
        const page = await since(last, PAGE);
        emit(page.events);
        if (page.events.length < PAGE || last >= page.lastSeq) break;
      }
    } catch (error) {
      off();
      throw error;
    }
    replaying = false;
    emit(held.splice(0));
  }
  return off;
}
