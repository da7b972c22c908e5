/**
 * DigestFolder, the server side of digest subscriptions: exact counts per route, a bounded
 * sample with states, later states only for sampled messages, full events for everything else.
 */
import { describe, expect, it } from 'vitest';
import { DigestFolder } from '../../src-main/engine/stream/digest';
import type { StreamEvent } from '../../src-shared/stream';

let seq = 0;
const pub = (id: string, sender: string, receiver: string, type = 'HEARTBEAT'): StreamEvent =>
  ({
    kind: 'message.published',
    seq: ++seq,
    at: seq,
    message: { id, type, priority: 2, sender, receiver, receiverId: receiver, runId: 'r1' },
  }) as StreamEvent;
const ev = (kind: 'message.delivered' | 'message.acknowledged', id: string): StreamEvent => ({
  kind,
  id,
  runId: 'r1',
  seq: ++seq,
  at: seq,
});

describe('DigestFolder', () => {
  it('counts every message per route and type, and samples the newest with their states', () => {
    const folder = new DigestFolder(3, 100);
    const events: StreamEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(pub(`m${i}`, 'a', i % 2 ? 'b' : 'c'));
    events.push(pub('err', 'b', 'a', 'ERROR'));
    for (let i = 0; i < 10; i++) events.push(ev('message.delivered', `m${i}`));
    events.push(ev('message.acknowledged', 'm9'));
    const log: StreamEvent = {
      kind: 'runner.log',
      sessionId: 'a',
      runId: 'r1',
      level: 'info',
      text: 'hi',
      seq: ++seq,
      at: seq,
    };
    events.push(log);
    const { events: full, traffic, end } = folder.fold(events, 0, 1_000);
    expect(end).toBe(events.length);
    expect(full).toEqual([log]);
    expect(traffic).toMatchObject({ published: 11, delivered: 10, acknowledged: 1 });
    const routes = traffic!.routes.map(([r, s, t, type, n]) => [
      traffic!.runs[r],
      traffic!.names[s],
      traffic!.names[t],
      type,
      n,
    ]);
    expect(routes).toEqual([
      ['r1', 'a', 'c', 'HEARTBEAT', 5],
      ['r1', 'a', 'b', 'HEARTBEAT', 5],
      ['r1', 'b', 'a', 'ERROR', 1],
    ]);
    expect(traffic!.sample.map((m) => [m.id, m.state])).toEqual([
      ['m8', 'delivered'],
      ['m9', 'acknowledged'],
      ['err', 'published'],
    ]);
    expect(traffic!.states).toEqual([]);

    // Later: states of sampled, unfinished messages come through; others' do not.
    const later = folder.fold(
      [ev('message.acknowledged', 'm8'), ev('message.acknowledged', 'm1')],
      0,
      1_000,
    );
    expect(later.traffic).toMatchObject({ published: 0, delivered: 0, acknowledged: 2 });
    expect(later.traffic!.states).toEqual([['m8', 'acknowledged']]);
  });

  it('stops a frame after the most full events it may hold, and carries on from there', () => {
    const folder = new DigestFolder();
    const events: StreamEvent[] = [];
    for (let i = 0; i < 5; i++) {
      events.push(pub(`x${i}`, 'a', 'b'));
      events.push({
        kind: 'session.created',
        sessionId: `s${i}`,
        name: `s${i}`,
        runId: null,
        seq: ++seq,
        at: seq,
      });
    }
    const first = folder.fold(events, 0, 2);
    expect(first.events).toHaveLength(2);
    expect(first.traffic?.published).toBe(2);
    const rest = folder.fold(events, first.end, 2);
    const last = folder.fold(events, rest.end, 2);
    expect(last.end).toBe(events.length);
    expect([first, rest, last].reduce((n, f) => n + (f.traffic?.published ?? 0), 0)).toBe(5);
  });
});
