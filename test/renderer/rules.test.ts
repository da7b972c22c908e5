import { describe, expect, it } from 'vitest';
import { canAddSession, canConnect, edgeTypeChoices } from '../../src-renderer/src/editor/rules';
import { sample } from './fixtures';

const reason = (v: ReturnType<typeof canConnect>) => (v.ok ? null : v.reason);

describe('connection rules', () => {
  it('allows director → department', () => {
    expect(canConnect(sample(), 'director-1', 'department-2')).toEqual({ ok: true });
  });

  it('refuses department → department, anything into an observer, and self loops', () => {
    expect(reason(canConnect(sample(), 'department-1', 'department-2'))).toMatch(
      /not to each other/,
    );
    expect(reason(canConnect(sample(), 'director-1', 'observer-1'))).toMatch(/observer/i);
    expect(reason(canConnect(sample(), 'observer-1', 'department-1'))).toMatch(/read-only/);
    expect(reason(canConnect(sample(), 'department-1', 'department-1'))).toMatch(/itself/);
  });

  it('refuses duplicates in either direction', () => {
    expect(reason(canConnect(sample(), 'director-1', 'department-1'))).toMatch(/already connected/);
    expect(reason(canConnect(sample(), 'department-1', 'director-1'))).toMatch(/already connected/);
  });

  it('refuses a second director for a department and a second director on the canvas', () => {
    const doc = sample();
    doc.sessions.push({
      id: 'director-2',
      type: 'director',
      name: 'Other',
      position: { x: 0, y: 0 },
    });
    expect(reason(canConnect(doc, 'director-2', 'department-1'))).toMatch(/second director/);
    expect(reason(canConnect(doc, 'director-2', 'director-1'))).toMatch(/another director/);
    const add = canAddSession(sample(), 'director');
    expect(add.ok).toBe(false);
    expect(canAddSession(sample(), 'department').ok).toBe(true);
  });

  it('offers the message types of both directions on an edge', () => {
    const types = edgeTypeChoices('director', 'department');
    expect(types).toContain('COMMAND');
    expect(types).toContain('COMPLETION_NOTIFICATION');
    expect(types).toContain('HEARTBEAT');
    expect(types).not.toContain('CHECKPOINT_CREATE');
  });
});
