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

/** A column of few distinct values (senders, receivers, runs, types) as [distinct, indexes]. */
function dict<T>(values: T[]): [T[], number[]] {
  const seen = new Map<T, number>();
  const distinct: T[] = [];
  const index = values.map((v) => {
    let i = seen.get(v);
    if (i === undefined) seen.set(v, (i = distinct.push(v) - 1));
    return i;
  });
  return [distinct, index];
}

const undict = <T>([distinct, index]: [T[], number[]]): T[] => index.map((i) => distinct[i]!);

/** Times as the first one and then differences (mostly 0 within a turn): far shorter JSON. */
function deltas(ats: number[]): number[] {
  return ats.map((at, k) => (k === 0 ? at : at - ats[k - 1]!));
}

function undelta(ds: number[]): number[] {
  let at = 0;
  return ds.map((d) => (at += d));
}

function encodeGroup(tag: string, group: Coalesced[]): string {
  const head = [tag, group[0]!.seq, deltas(group.map((e) => e.at))];
  if (tag !== 'p') {
    const ids = (group as ById[]).map((e) => e.id);
    return JSON.stringify([...head, ids, dict((group as ById[]).map((e) => e.runId))]);
  }
  const m = (group as Published[]).map((e) => e.message);
  return JSON.stringify([
    ...head,
    m.map((x) => x.id),
    dict(m.map((x) => x.type)),
    dict(m.map((x) => x.priority)),
    dict(m.map((x) => x.sender)),
    dict(m.map((x) => x.receiver)),
    dict(m.map((x) => x.receiverId)),
    dict(m.map((x) => x.runId)),
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
