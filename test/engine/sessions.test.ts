import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_STATUSES, SESSION_TRANSITIONS, type SessionStatus } from '../../src-shared/domain';
import { OrchestrationError } from '../../src-shared/errors';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

/** Drives a fresh session into `status` using legal moves only. */
const PATHS: Record<SessionStatus, SessionStatus[]> = {
  initializing: [],
  active: ['active'],
  idle: ['active', 'idle'],
  completed: ['active', 'completed'],
  error: ['error'],
  terminated: ['active', 'terminated'],
};

let t: TempEngine;
beforeEach(async () => {
  t = await tempEngine();
});
afterEach(async () => {
  await t.cleanup();
});

let counter = 0;
async function sessionIn(status: SessionStatus) {
  const s = await t.engine.sessions.create({
    type: 'department',
    name: `s-${status}-${counter++}`,
  });
  for (const step of PATHS[status]) await t.engine.sessions.setStatus(s.id, step);
  return s;
}

describe('session status state machine', () => {
  for (const from of SESSION_STATUSES) {
    for (const to of SESSION_STATUSES) {
      const legal = SESSION_TRANSITIONS[from].includes(to);
      it(`${from} → ${to} is ${legal ? 'legal' : 'refused'}`, async () => {
        const s = await sessionIn(from);
        expect((await t.engine.sessions.get(s.id))!.status).toBe(from);
        if (legal) {
          const updated = await t.engine.sessions.setStatus(s.id, to, 'test');
          expect(updated.status).toBe(to);
          expect((await t.engine.sessions.get(s.id))!.status).toBe(to);
        } else {
          const error = await t.engine.sessions.setStatus(s.id, to).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(OrchestrationError);
          expect((error as OrchestrationError).code).toBe('INVALID_INPUT');
          expect((error as OrchestrationError).message).toContain(`${from} → ${to}`);
          expect((await t.engine.sessions.get(s.id))!.status).toBe(from);
        }
      });
    }
  }

  it('records every move in the history and emits events', async () => {
    const seen: string[] = [];
    t.engine.on('session.status', (e) => seen.push(`${e.from}>${e.to}`));
    t.engine.on('session.terminated', (e) => seen.push(`terminated:${e.reason}`));
    const s = await sessionIn('initializing');
    await t.engine.sessions.setStatus(s.id, 'active');
    await t.engine.sessions.setStatus(s.id, 'idle');
    await t.engine.sessions.terminate(s.name, 'done for today');
    expect(seen).toEqual([
      'initializing>active',
      'active>idle',
      'idle>terminated',
      'terminated:done for today',
    ]);
    const history = await t.engine.sessions.history(s.id);
    expect(history.map((h) => [h.kind, h.from, h.to])).toEqual([
      ['created', null, 'initializing'],
      ['status', 'initializing', 'active'],
      ['status', 'active', 'idle'],
      ['status', 'idle', 'terminated'],
    ]);
    expect(history[3]!.reason).toBe('done for today');
  });
});

describe('sessions', () => {
  it('creates, gets by id or name, lists and updates', async () => {
    const d = await t.engine.sessions.create({
      type: 'director',
      name: 'main-director',
      workspace: '/workspace/main',
    });
    expect(d).toMatchObject({
      type: 'director',
      name: 'main-director',
      status: 'initializing',
      timeoutMs: 300_000,
    });
    expect((await t.engine.sessions.get('main-director'))!.id).toBe(d.id);
    await t.engine.sessions.create({ type: 'department', name: 'dep' });
    expect((await t.engine.sessions.list({ type: 'department' })).map((s) => s.name)).toEqual([
      'dep',
    ]);
    const u = await t.engine.sessions.update(d.id, {
      state: { step: 2 },
      metadata: { owner: 'me' },
    });
    expect(u.state).toEqual({ step: 2 });
    expect((await t.engine.sessions.get(d.id))!.metadata).toEqual({ owner: 'me' });
  });

  it('survives a restart', async () => {
    const d = await t.engine.sessions.create({ type: 'director', name: 'persisted' });
    await t.engine.sessions.setStatus(d.id, 'active');
    await t.engine.close();
    const again = await t.reopen();
    expect((await again.sessions.get('persisted'))!.status).toBe('active');
  });

  it('refuses a duplicate name, bad input and an unknown session with specific codes', async () => {
    await t.engine.sessions.create({ type: 'director', name: 'x' });
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: OrchestrationError) => e.code,
      );
    expect(await codeOf(t.engine.sessions.create({ type: 'director', name: 'x' }))).toBe(
      'DUPLICATE_ENTRY',
    );
    expect(await codeOf(t.engine.sessions.create({ type: 'boss' as never, name: 'y' }))).toBe(
      'INVALID_INPUT',
    );
    expect(await codeOf(t.engine.sessions.create({ type: 'director' } as never))).toBe(
      'MISSING_FIELD',
    );
    expect(
      await codeOf(t.engine.sessions.create({ type: 'director', name: 'bad\u0007name' })),
    ).toBe('INVALID_INPUT');
    expect(await codeOf(t.engine.sessions.setStatus('nope', 'active'))).toBe('INVALID_INPUT');
    expect((await t.engine.sessions.list()).length).toBe(1);
  });

  it('caps live sessions (configurable) and frees a slot on termination', async () => {
    await t.cleanup();
    t = await tempEngine({ maxSessions: 3 });
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await t.engine.sessions.create({ type: 'department', name: `d${i}` }));
    const error = await t.engine.sessions
      .create({ type: 'department', name: 'd3' })
      .catch((e: OrchestrationError) => e);
    expect((error as OrchestrationError).code).toBe('INVALID_INPUT');
    expect((error as OrchestrationError).message).toMatch(/limit \(maxSessions = 3\)/);
    await t.engine.sessions.setStatus(made[0]!.id, 'active');
    await t.engine.sessions.terminate(made[0]!.id);
    expect((await t.engine.sessions.create({ type: 'department', name: 'd3' })).name).toBe('d3');
  });
});
