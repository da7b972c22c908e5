import { describe, expect, it } from 'vitest';
import { copy, paste, PASTE_OFFSET } from '../../src-renderer/src/editor/clipboard';
import { addSession, removeItems } from '../../src-renderer/src/editor/commands';
import { sample } from './fixtures';

describe('clipboard', () => {
  it('copies sessions with only the edges inside the selection', () => {
    const clip = copy(sample(), ['department-1', 'department-2']);
    expect(clip?.sessions.map((s) => s.id)).toEqual(['department-1', 'department-2']);
    expect(clip?.edges).toEqual([]);
    expect(copy(sample(), [])).toBeNull();
  });

  it('pastes with fresh ids and names, offset, and re-wired edges', () => {
    const doc = sample();
    doc.sessions.push({
      id: 'department-3',
      type: 'department',
      name: 'Department 3',
      position: { x: 0, y: 0 },
    });
    doc.edges.push({ id: 'edge-2', from: 'department-1', to: 'department-3' });
    const clip = copy(doc, ['department-1', 'department-3'])!;
    const { doc: next, pasted, skipped } = paste(doc, clip);
    expect(skipped).toEqual([]);
    expect(pasted).toHaveLength(2);
    const ids = next.sessions.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const names = next.sessions.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    const copyOf1 = next.sessions.find((s) => s.id === pasted[0])!;
    expect(copyOf1.position).toEqual({ x: -100 + PASTE_OFFSET, y: 200 + PASTE_OFFSET });
    const newEdge = next.edges[next.edges.length - 1]!;
    expect([newEdge.from, newEdge.to]).toEqual(pasted);
  });

  it('names copies of numbered sessions with the next free number', () => {
    const clip = copy(sample(), ['department-1'])!;
    const first = paste(sample(), clip);
    expect(first.doc.sessions.at(-1)?.name).toBe('Department 3');
    const renamed = sample();
    renamed.sessions[1]!.name = 'Research';
    const second = paste(renamed, copy(renamed, ['department-1'])!);
    expect(second.doc.sessions.at(-1)?.name).toBe('Research copy 1');
  });

  it('does not paste a second director', () => {
    const clip = copy(sample(), ['director-1', 'department-1'])!;
    const { doc, skipped, pasted } = paste(sample(), clip);
    expect(skipped[0]).toMatch(/already has a director/);
    expect(pasted).toHaveLength(1);
    expect(doc.sessions.filter((s) => s.type === 'director')).toHaveLength(1);
    expect(doc.edges).toHaveLength(1);
  });

  it('pasting into a workflow without the director keeps it', () => {
    const clip = copy(sample(), ['director-1'])!;
    const empty = removeItems(sample(), ['director-1'], []);
    expect(paste(empty, clip).doc.sessions.some((s) => s.type === 'director')).toBe(true);
  });
});

describe('commands', () => {
  it('adds sessions with unique ids and names and a default runner', () => {
    const a = addSession(sample(), 'department', { x: 10.4, y: 20.6 });
    expect(a.session.id).toBe('department-3');
    expect(a.session.name).toBe('Department 3');
    expect(a.session.position).toEqual({ x: 10, y: 21 });
    expect(a.session.runner?.kind).toBe('script');
  });

  it('removing a session removes its edges', () => {
    const next = removeItems(sample(), ['department-1'], []);
    expect(next.edges).toEqual([]);
    expect(next.sessions).toHaveLength(3);
  });
});
