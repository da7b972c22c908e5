/** Deciding how to tell the person about waiting requests, and which nodes wait. */
import { describe, expect, it } from 'vitest';
import type { PermissionRequest } from '../../src-renderer/src/agents/types';
import {
  inputSummary,
  newRequests,
  notifyWay,
  requestBody,
  requestTitle,
  waitedFor,
  waitingByNode,
} from '../../src-renderer/src/notifications/decide';

const request = (
  id: string,
  since: number,
  more: Partial<PermissionRequest> = {},
): PermissionRequest => ({
  requestId: id,
  runId: 'run-1',
  sessionId: 'engine-front',
  sessionName: 'Front',
  kind: 'tool',
  toolName: 'Bash',
  input: { command: 'npm test', description: 'run the tests' },
  question: null,
  since,
  ...more,
});

describe('notification decision', () => {
  it('notifies when allowed, asks first when undecided, toasts when denied or unsupported', () => {
    expect(notifyWay('granted')).toBe('notify');
    expect(notifyWay('default')).toBe('ask');
    expect(notifyWay('denied')).toBe('toast');
    expect(notifyWay('unsupported')).toBe('toast');
  });

  it('announces each request once, oldest first, and forgets answered ones', () => {
    const announced = new Set<string>();
    const a = request('a', 20);
    const b = request('b', 10);
    expect(newRequests([a, b], announced).map((r) => r.requestId)).toEqual(['b', 'a']);
    expect(newRequests([a, b], announced)).toEqual([]);
    // b answered, c new: only c is announced; b is no longer remembered.
    const c = request('c', 30);
    expect(newRequests([a, c], announced).map((r) => r.requestId)).toEqual(['c']);
    expect([...announced].sort()).toEqual(['a', 'c']);
  });

  it('says who asks for what in a line', () => {
    const r = request('a', 0);
    expect(requestTitle(r)).toBe('Front asks to use Bash');
    expect(requestBody(r)).toBe('npm test');
    const q = request('q', 0, { kind: 'question', toolName: null, question: 'Which port?' });
    expect(requestTitle(q)).toBe('Front asks you a question');
    expect(requestBody(q)).toBe('Which port?');
    expect(inputSummary({ file_path: '/x/y.ts', content: '…' })).toBe('/x/y.ts');
    const long = inputSummary({ other: 'z'.repeat(500) });
    expect(long.length).toBe(120);
    expect(long.endsWith('…')).toBe(true);
    expect(inputSummary(undefined)).toBe('');
  });

  it('counts how long a request has waited', () => {
    expect(waitedFor(1_000, 13_400)).toBe('12 s');
    expect(waitedFor(0, 4 * 60_000 + 5_000)).toBe('4 min');
    expect(waitedFor(0, 2 * 3_600_000)).toBe('2 h');
    expect(waitedFor(5_000, 1_000)).toBe('0 s');
  });

  it('maps waiting engine sessions to canvas nodes through the runs', () => {
    const runs: { id: string; sessions: Record<string, string> }[] = [
      { id: 'run-1', sessions: { front: 'engine-front', back: 'engine-back' } },
      { id: 'run-0', sessions: { front: 'engine-old-front' } },
    ];
    const byNode = waitingByNode(
      [
        request('a', 0),
        request('b', 0),
        request('c', 0, { sessionId: 'engine-back' }),
        request('d', 0, { sessionId: 'engine-of-another-workflow' }),
      ],
      runs,
    );
    expect(byNode).toEqual({ front: 2, back: 1 });
  });
});

describe('opening a waiting request', () => {
  it('selects its node and shows the Inspector tab, where it is answered', async () => {
    const { openRequest } = await import('../../src-renderer/src/notifications/open');
    const { useEditor } = await import('../../src-renderer/src/stores/editor');
    const { useLive } = await import('../../src-renderer/src/stores/live');
    const { setSideTab, useUi } = await import('../../src-renderer/src/stores/ui');
    const node = (id: string, selected: boolean) => ({
      id,
      selected,
      position: { x: 0, y: 0 },
      data: {},
    });
    useEditor.setState({ nodes: [node('front', false), node('back', true)] as never });
    useLive.setState({
      runs: [{ id: 'run-1', sessions: { front: 'engine-front', back: 'engine-back' } }] as never,
    });
    setSideTab('properties');

    expect(openRequest(request('r1', 1))).toBe(true);
    expect(
      useEditor
        .getState()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(['front']);
    expect(useUi.getState().sideTab).toBe('inspector');
    expect(openRequest(request('r2', 2, { sessionId: 'engine-gone' }))).toBe(false);
  });
});
