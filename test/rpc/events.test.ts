/**
 * Event streaming over the in-memory transport: batching (many events, few frames), resume
 * after a reconnect with nothing missed or repeated, and a far-behind client paged from the
 * durable stream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryPair, serve, type ServeOptions } from '../../src-main/rpc';
import { DIGEST_SAMPLE, type StreamEvent, type TrafficDigest } from '../../src-shared/stream';
import { createClient, type Client, type ClientOptions } from '../../src-renderer/src/rpc';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';

describe('event stream over a transport', () => {
  let temp: TempEngine;
  const clients: Client[] = [];

  beforeEach(async () => {
    temp = await tempEngine();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await temp.cleanup();
  });

  function open(options: ClientOptions = {}, serveOptions: Partial<ServeOptions> = {}) {
    const pair = createMemoryPair();
    let frames = 0;
    pair.client.onFrame((raw) => {
      if ((raw as string).startsWith('{"type":"events"')) frames++;
    });
    serve(temp.engine, pair.server, { role: 'admin', ...serveOptions });
    const client = createClient(pair.client, options);
    clients.push(client);
    const events: StreamEvent[] = [];
    const digests: TrafficDigest[] = [];
    client.onEvents((batch, _lastSeq, traffic) => {
      events.push(...batch);
      if (traffic) digests.push(traffic);
    });
    return { client, events, digests, frames: () => frames };
  }

  const published = (digests: TrafficDigest[]) => digests.reduce((n, d) => n + d.published, 0);

  /** Publishes `count` messages and returns once the stream has committed their events. */
  async function publish(count: number, prefix: string) {
    const before = temp.engine.stream.lastSeq();
    const d = await temp.engine.sessions.create({ type: 'director', name: `${prefix}-d` });
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await temp.engine.bus.publishBatch(
        Array.from({ length: n }, () => ({
          type: 'HEARTBEAT' as const,
          sender: d.id,
          receiver: `${prefix}-x`,
        })),
      );
    }
    // One session.created plus one message.published per message.
    await waitFor(() => temp.engine.stream.lastSeq() >= before + 1 + count, 'stream commit');
  }

  /** Every seq from `from` on, at least up to `atLeast`, each exactly once and in order. */
  const expectContiguous = (events: StreamEvent[], from: number, atLeast: number) => {
    const seqs = events.map((e) => e.seq);
    expect(seqs.at(-1)).toBeGreaterThanOrEqual(atLeast);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => from + i));
  };

  it('batches live events into few frames', async () => {
    const { client, events, frames } = open();
    await waitFor(() => client.lastSeq !== undefined, 'subscription position');
    const start = client.lastSeq!;
    await publish(2_000, 'batch');
    const last = temp.engine.stream.lastSeq();
    await waitFor(() => (client.lastSeq ?? 0) >= last, 'all events');
    expectContiguous(events, start + 1, last);
    // 2,001 events; one frame per ~16 ms tick, not one per event.
    expect(frames()).toBeLessThan(events.length / 20);
  });

  it('resumes after a reconnect without missing or repeating events', async () => {
    const first = open({ sinceSeq: 0 });
    await publish(50, 'before');
    await waitFor(() => (first.client.lastSeq ?? 0) >= temp.engine.stream.lastSeq(), 'first batch');
    const seen = first.client.lastSeq!;
    first.client.close();

    await publish(300, 'while-away');
    const second = open({ sinceSeq: seen });
    await publish(20, 'after');
    const last = temp.engine.stream.lastSeq();
    await waitFor(() => (second.client.lastSeq ?? 0) >= last, 'resumed events');
    expectContiguous(first.events, 1, seen);
    expectContiguous(second.events, seen + 1, last);
  });

  it('pages a far-behind client from the store, bounded in memory', async () => {
    const { client, events } = open({ sinceSeq: 0 }, { events: { maxBuffered: 10 } });
    await waitFor(() => client.lastSeq !== undefined, 'subscription');
    await publish(3_000, 'flood');
    const last = temp.engine.stream.lastSeq();
    await waitFor(() => (client.lastSeq ?? 0) >= last, 'flooded events', 15_000);
    expectContiguous(events, 1, last);
  });

  it('events.since and the live stream agree', async () => {
    const { client, events } = open({ sinceSeq: 0 });
    await publish(100, 'agree');
    const last = temp.engine.stream.lastSeq();
    await waitFor(() => (client.lastSeq ?? 0) >= last, 'live');
    const page = await client.events.since({ seq: 0, limit: 5_000 });
    expect(page.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('a digest viewer gets exact per-route counts and a bounded sample, not three events per message', async () => {
    const { client, events, digests, frames } = open({ digest: true });
    await waitFor(() => client.lastSeq !== undefined, 'subscription position');
    const start = client.lastSeq!;
    await publish(2_000, 'digest');
    const last = temp.engine.stream.lastSeq();
    await waitFor(() => (client.lastSeq ?? 0) >= last, 'all frames');
    expect(published(digests)).toBe(2_000);
    // Counted per route, by name: every message went from digest-d to digest-x.
    const perRoute = new Map<string, number>();
    for (const d of digests) {
      for (const [, s, r, type, count] of d.routes) {
        const key = `${d.names[s]}→${d.names[r]}:${type}`;
        perRoute.set(key, (perRoute.get(key) ?? 0) + count);
      }
      expect(d.sample.length).toBeLessThanOrEqual(DIGEST_SAMPLE);
    }
    const sender = (await temp.engine.sessions.list({})).find((x) => x.name === 'digest-d')!;
    expect([...perRoute]).toEqual([[`${sender.id}→digest-x:HEARTBEAT`, 2_000]]);
    // Only the one session.created comes as a full event.
    expect(events.map((e) => e.kind)).toEqual(['session.created']);
    expect(events[0]!.seq).toBe(start + 1);
    expect(digests.flatMap((d) => d.sample).every((m) => m.seq > start && m.seq <= last)).toBe(
      true,
    );
    expect(frames()).toBeLessThan(2_000 / 20);
  });

  it('a digest viewer resumes after a reconnect with every message counted once', async () => {
    const first = open({ sinceSeq: 0, digest: true });
    await publish(300, 'd-before');
    await waitFor(() => (first.client.lastSeq ?? 0) >= temp.engine.stream.lastSeq(), 'first');
    const seen = first.client.lastSeq!;
    first.client.close();

    await publish(700, 'd-away');
    // Paged from the store in steps, as a far-behind viewer is.
    const second = open({ sinceSeq: seen, digest: true }, { events: { maxBuffered: 10 } });
    await publish(500, 'd-after');
    const last = temp.engine.stream.lastSeq();
    await waitFor(() => (second.client.lastSeq ?? 0) >= last, 'resumed', 15_000);
    expect(published(first.digests)).toBe(300);
    expect(published(second.digests)).toBe(1_200);
    // Full events: the three session.created, each once, in order.
    const kinds = [...first.events, ...second.events].map((e) => e.kind);
    expect(kinds).toEqual(['session.created', 'session.created', 'session.created']);
    // And events.since still has every message event in full.
    const page = await second.client.events.since({ seq: 0, limit: 5_000 });
    expect(page.events.filter((e) => e.kind === 'message.published')).toHaveLength(1_500);
  });
});
