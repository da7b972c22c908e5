/**
 * Folds the message traffic of a run of stream events into one TrafficDigest (see
 * src-shared/stream.ts): exact counts per route, the newest few messages for a log, and state
 * changes of messages sampled earlier. One folder per connection: it remembers which messages
 * that viewer was shown, so their later states reach it and nothing else does.
 */
import {
  DIGEST_SAMPLE,
  DIGEST_TRACKED,
  type SampledMessage,
  type StreamEvent,
  type TrafficDigest,
  type TrafficRoute,
} from '../../../src-shared/stream';

type Published = Extract<StreamEvent, { kind: 'message.published' }>;
type State = TrafficDigest['states'][number][1];

export interface Folded {
  /** Events that are not message traffic, in order, each in full. */
  events: StreamEvent[];
  /** Absent when the slice held no message traffic. */
  traffic?: TrafficDigest;
  /** Index after the last event folded (the slice stops after `maxEvents` full events). */
  end: number;
}

function indexer(list: (string | null)[]): (value: string | null) => number {
  const seen = new Map<string | null, number>();
  return (value) => {
    let i = seen.get(value);
    if (i === undefined) seen.set(value, (i = list.push(value) - 1));
    return i;
  };
}

export class DigestFolder {
  /** Ids of sampled messages not yet acknowledged, oldest first (a Set keeps insertion order). */
  private readonly tracked = new Set<string>();

  constructor(
    private readonly sampleSize = DIGEST_SAMPLE,
    private readonly maxTracked = DIGEST_TRACKED,
  ) {}

  /** Folds `events` from `start` on, stopping once `maxEvents` full events are collected. */
  fold(events: readonly StreamEvent[], start: number, maxEvents: number): Folded {
    const others: StreamEvent[] = [];
    const names: (string | null)[] = [];
    const runs: (string | null)[] = [];
    const name = indexer(names);
    const run = indexer(runs);
    const routes = new Map<string, TrafficRoute>();
    const published: Published[] = [];
    const changes: [string, State][] = [];
    let i = start;
    for (; i < events.length && others.length < maxEvents; i++) {
      const e = events[i]!;
      if (e.kind === 'message.published') {
        const m = e.message;
        const r = run(m.runId);
        const s = name(m.sender);
        const t = name(m.receiverId ?? m.receiver);
        const key = `${r},${s},${t},${m.type}`;
        const route = routes.get(key);
        if (route) route[4]++;
        else routes.set(key, [r, s, t, m.type, 1]);
        published.push(e);
      } else if (e.kind === 'message.delivered' || e.kind === 'message.acknowledged') {
        changes.push([e.id, e.kind === 'message.delivered' ? 'delivered' : 'acknowledged']);
      } else others.push(e);
    }
    if (published.length === 0 && changes.length === 0) return { events: others, end: i };

    const sample = new Map<string, SampledMessage>();
    for (const e of published.slice(-this.sampleSize)) {
      sample.set(e.message.id, { ...e.message, seq: e.seq, at: e.at, state: 'published' });
      this.track(e.message.id);
    }
    const states: [string, State][] = [];
    let delivered = 0;
    for (const change of changes) {
      const [id, state] = change;
      if (state === 'delivered') delivered++;
      const sampled = sample.get(id);
      if (sampled) sampled.state = state;
      else if (this.tracked.has(id)) states.push(change);
      if (state === 'acknowledged') this.tracked.delete(id);
    }
    const traffic: TrafficDigest = {
      published: published.length,
      delivered,
      acknowledged: changes.length - delivered,
      names,
      runs,
      routes: [...routes.values()],
      sample: [...sample.values()],
      states,
    };
    return { events: others, traffic, end: i };
  }

  private track(id: string): void {
    this.tracked.add(id);
    if (this.tracked.size > this.maxTracked) {
      this.tracked.delete(this.tracked.values().next().value!);
    }
  }
}
