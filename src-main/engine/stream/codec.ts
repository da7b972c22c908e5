/**
 * How stream events are stored. A busy bus makes three events per message, so consecutive
 * message events of one kind (published / delivered / acknowledged) in a batch are coalesced into
 * one entry of column arrays — no key names per event and V8's fast path for arrays of strings.
 * Their seqs are consecutive by construction, so the order is kept exactly; every other event is
 * stored as its own JSON object. Decoding gives back exactly the events that were encoded.
 */
import type { MessageType } from '../../../src-shared/domain';
import type { StreamEvent } from '../../../src-shared/stream';

type Published = Extract<StreamEvent, { kind: 'message.published' }>;
type ById = Extract<StreamEvent, { kind: 'message.delivered' | 'message.acknowledged' }>;
type Coalesced = Published | ById;

const TAGS = { 'message.published': 'p', 'message.delivered': 'd', 'message.acknowledged': 'a' };
const KINDS = { d: 'message.delivered', a: 'message.acknowledged' } as const;

function tagOf(e: StreamEvent): string | undefined {
  return (TAGS as Record<string, string | undefined>)[e.kind];
}

/**
 * A column of few distinct values (senders, receivers, runs, types) as [distinct, indexes].
 * Neighbours are mostly equal, so the last value is checked before the map.
 */
class Dict<T> {
  readonly distinct: T[] = [];
  readonly index: number[] = [];
  private readonly seen = new Map<T, number>();
  private last: T | undefined;
  private lastIndex = -1;

  add(v: T): void {
    if (this.lastIndex < 0 || v !== this.last) {
      let i = this.seen.get(v);
      if (i === undefined) this.seen.set(v, (i = this.distinct.push(v) - 1));
      this.last = v;
      this.lastIndex = i;
    }
    this.index.push(this.lastIndex);
  }

  toJSON(): [T[], number[]] {
    return [this.distinct, this.index];
  }
}

const undict = <T>([distinct, index]: [T[], number[]]): T[] => index.map((i) => distinct[i]!);

function undelta(ds: number[]): number[] {
  let at = 0;
  return ds.map((d) => (at += d));
}

/** One pass over the group; times as the first one and then differences (mostly 0 within a turn). */
function encodeGroup(tag: string, group: Coalesced[]): string {
  const n = group.length;
  const ds: number[] = new Array(n);
  const ids: string[] = new Array(n);
  let prev = 0;
  if (tag !== 'p') {
    const runs = new Dict<string | null>();
    for (let k = 0; k < n; k++) {
      const e = group[k] as ById;
      ds[k] = k === 0 ? e.at : e.at - prev;
      prev = e.at;
      ids[k] = e.id;
      runs.add(e.runId);
    }
    return JSON.stringify([tag, group[0]!.seq, ds, ids, runs]);
  }
  const types = new Dict<MessageType>();
  const priorities = new Dict<number>();
  const senders = new Dict<string>();
  const receivers = new Dict<string | null>();
  const receiverIds = new Dict<string | null>();
  const runs = new Dict<string | null>();
  for (let k = 0; k < n; k++) {
    const e = group[k] as Published;
    const m = e.message;
    ds[k] = k === 0 ? e.at : e.at - prev;
    prev = e.at;
    ids[k] = m.id;
    types.add(m.type);
    priorities.add(m.priority);
    senders.add(m.sender);
    receivers.add(m.receiver);
    receiverIds.add(m.receiverId);
    runs.add(m.runId);
  }
  return JSON.stringify([
    tag,
    group[0]!.seq,
    ds,
    ids,
    types,
    priorities,
    senders,
    receivers,
    receiverIds,
    runs,
  ]);
}

export function encodeBatch(events: readonly StreamEvent[]): string {
  const parts: string[] = [];
  for (let i = 0; i < events.length;) {
    const tag = tagOf(events[i]!);
    if (tag === undefined) {
      parts.push(JSON.stringify(events[i]));
      i++;
      continue;
    }
    let j = i + 1;
    while (j < events.length && tagOf(events[j]!) === tag) j++;
    parts.push(encodeGroup(tag, events.slice(i, j) as Coalesced[]));
    i = j;
  }
  return `[${parts.join(',')}]`;
}

type Column<T> = [T[], number[]];

export function decodeBatch(body: string): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const entry of JSON.parse(body) as unknown[]) {
    if (!Array.isArray(entry)) {
      out.push(entry as StreamEvent);
      continue;
    }
    const [tag, first, ds, ids] = entry as [string, number, number[], string[]];
    const ats = undelta(ds);
    if (tag === 'p') {
      const cols = entry.slice(4) as [
        Column<MessageType>,
        Column<number>,
        Column<string>,
        Column<string | null>,
        Column<string | null>,
        Column<string | null>,
      ];
      const [types, priorities, senders, receivers, receiverIds, runIds] = [
        undict(cols[0]),
        undict(cols[1]),
        undict(cols[2]),
        undict(cols[3]),
        undict(cols[4]),
        undict(cols[5]),
      ];
      ids.forEach((id, k) =>
        out.push({
          kind: 'message.published',
          seq: first + k,
          at: ats[k]!,
          message: {
            id,
            type: types[k]!,
            priority: priorities[k]!,
            sender: senders[k]!,
            receiver: receivers[k]!,
            receiverId: receiverIds[k]!,
            runId: runIds[k]!,
          },
        }),
      );
      continue;
    }
    const runIds = undict(entry[4] as Column<string | null>);
    const kind = KINDS[tag as keyof typeof KINDS];
    ids.forEach((id, k) => out.push({ kind, seq: first + k, at: ats[k]!, id, runId: runIds[k]! }));
  }
  return out;
}
