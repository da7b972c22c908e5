import { describe, expect, it } from 'vitest';
import { FlowBuffer, type FlowState } from '../../src-renderer/src/live/flow';
import { findEdge, SessionIndex } from '../../src-renderer/src/live/route';
import { sample } from './fixtures';

describe('packet sampling and aggregation', () => {
  it('counts every message but spawns one packet per edge per frame, at most the cap per second', () => {
    const buf = new FlowBuffer({ maxPacketsPerSecond: 5, packetMs: 900 });
    let state: FlowState = {};
    // 1,000 messages over 500 ms, flushed every 16 ms frame.
    for (let i = 0; i < 1000; i++) {
      buf.record('e1', false, 100 + i * 0.5);
      if (i % 32 === 31) {
        const before = state.e1?.packets.length ?? 0;
        state = buf.flush(state, 100 + i * 0.5);
        expect((state.e1?.packets.length ?? 0) - before).toBeLessThanOrEqual(1);
      }
    }
    state = buf.flush(state, 600);
    expect(state.e1?.count).toBe(1000);
    expect(state.e1?.packets.length).toBe(5);
  });

  it('records a digest route of many messages as one count, with one packet', () => {
    const buf = new FlowBuffer();
    buf.record('e', true, 0, true, 250);
    buf.record('e', true, 1, true, 50);
    const state = buf.flush({}, 2);
    expect(state.e?.count).toBe(300);
    expect(state.e?.packets).toHaveLength(1);
    expect(state.e?.packets[0]?.reverse).toBe(true);
  });

  it('spreads count refreshes over frames, never dropping one', () => {
    const buf = new FlowBuffer({ maxUpdatesPerFrame: 10, countIntervalMs: 100 });
    for (let i = 0; i < 35; i++) buf.record(`e${i}`, false, 0, false, i + 1);
    let state: FlowState = buf.flush({}, 1);
    expect(Object.keys(state)).toHaveLength(10);
    let frames = 1;
    while (Object.keys(state).length < 35 && frames < 100) {
      const next = buf.flush(state, 1 + frames * 16);
      const changed = Object.keys(next).filter((id) => next[id] !== state[id]).length;
      expect(changed).toBeLessThanOrEqual(10);
      state = next;
      frames++;
    }
    expect(frames).toBe(4);
    for (let i = 0; i < 35; i++) expect(state[`e${i}`]?.count).toBe(i + 1);
  });

  it('returns the same object when nothing changed, and only replaces touched edges', () => {
    const buf = new FlowBuffer();
    buf.record('a', false, 0);
    buf.record('b', true, 0);
    const s1 = buf.flush({}, 1);
    expect(s1.b?.packets[0]?.reverse).toBe(true);
    expect(buf.flush(s1, 2)).toBe(s1);
    buf.record('a', false, 3);
    const s2 = buf.flush(s1, 4);
    expect(s2).not.toBe(s1);
    expect(s2.b).toBe(s1.b);
    expect(s2.a?.count).toBe(2);
  });

  it('expires packets after their travel time and reports rates per window', () => {
    const buf = new FlowBuffer({ packetMs: 900, windowMs: 1000 });
    for (let i = 0; i < 50; i++) buf.record('e', false, i * 10);
    let state: FlowState = buf.flush({}, 500);
    expect(state.e?.packets.length).toBeGreaterThan(0);
    state = buf.flush(state, 1000);
    expect(state.e?.rate).toBe(50);
    state = buf.flush(state, 2000);
    expect(state.e?.packets).toEqual([]);
    expect(state.e?.rate).toBe(0);
    expect(state.e?.count).toBe(50);
    expect(buf.busy()).toBe(false);
  });

  it('counts replayed history without packets and without a rate', () => {
    const buf = new FlowBuffer({ windowMs: 1000 });
    for (let i = 0; i < 20; i++) buf.record('e', false, i * 10, false);
    let state: FlowState = buf.flush({}, 500);
    expect(state.e?.count).toBe(20);
    expect(state.e?.packets).toEqual([]);
    state = buf.flush(state, 1200);
    expect(state.e?.rate).toBe(0);
    buf.record('e', false, 1300);
    state = buf.flush(state, 2300);
    expect(state.e?.rate).toBe(1);
    expect(state.e?.count).toBe(21);
  });

  it('marks failures and always shows a failed packet', () => {
    const buf = new FlowBuffer({ maxPacketsPerSecond: 1 });
    buf.record('e', false, 0);
    buf.fail('e', 'boom', 1);
    const state = buf.flush({}, 2);
    expect(state.e?.failed).toBe(1);
    expect(state.e?.lastError).toBe('boom');
    expect(state.e?.packets.map((p) => p.failed)).toEqual([false, true]);
  });

  it('an ERROR report counts as a message and as a failure', () => {
    const buf = new FlowBuffer();
    buf.fail('e', 'ERROR from Writing', 0, true, true, true);
    const state = buf.flush({}, 1);
    expect(state.e).toMatchObject({ count: 1, failed: 1, lastError: 'ERROR from Writing' });
    expect(state.e?.packets[0]).toMatchObject({ failed: true, reverse: true });
  });

  it('replayed history counts without packets', () => {
    const buf = new FlowBuffer();
    buf.record('e', false, 0, false);
    const state = buf.flush({}, 1);
    expect(state.e?.count).toBe(1);
    expect(state.e?.packets).toEqual([]);
  });
});

describe('routing events onto edges', () => {
  it('maps engine sessions to workflow sessions and finds the edge either way round', () => {
    const index = new SessionIndex();
    index.addRun('r1', { 'director-1': 'eng-d', 'department-1': 'eng-1' });
    expect(index.hasRun('r1')).toBe(true);
    const from = index.toWorkflow('eng-1');
    const to = index.toWorkflow('eng-d');
    expect(findEdge(sample(), from, to)).toEqual({ edgeId: 'edge-1', reverse: true });
    expect(findEdge(sample(), to, from)).toEqual({ edgeId: 'edge-1', reverse: false });
    expect(findEdge(sample(), 'department-1', 'department-2')).toBeNull();
    expect(index.toWorkflow('unknown')).toBeNull();
  });
});
