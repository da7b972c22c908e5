import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setApi, type Api } from '../../src-renderer/src/api';
import {
  addSessionAt,
  connect,
  deleteItems,
  docOf,
  flushSave,
  openWorkflow,
  redoEdit,
  SAVE_DELAY_MS,
  setNotice,
  undoEdit,
  useEditor,
} from '../../src-renderer/src/stores/editor';
import type { Workflow } from '../../src-shared/workflow';

const saves: unknown[] = [];
const fake: Api = {
  call: (async (method: string, params: unknown) => {
    if (method === 'workflows.update') saves.push(params);
    return null;
  }) as Api['call'],
  onEvents: () => () => undefined,
};

const workflow: Workflow = {
  id: 'wf-1',
  definition: { name: 'Test', sessions: [], edges: [] },
  revision: 1,
  createdAt: 0,
  updatedAt: 0,
};

describe('editor store', () => {
  beforeEach(async () => {
    vi.useFakeTimers();
    setApi(fake);
    openWorkflow(workflow); // saves what the previous test left unsaved first
    await flushSave();
    saves.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('adds, connects, refuses with a reason, deletes and undoes as one step', () => {
    const d = addSessionAt('director', { x: 0, y: 0 })!;
    const a = addSessionAt('department', { x: -100, y: 200 })!;
    const b = addSessionAt('department', { x: 100, y: 200 })!;
    expect(addSessionAt('director', { x: 0, y: 0 })).toBeNull();
    expect(useEditor.getState().notice).toMatch(/second director/);
    // A refusal is shown as an alert, not as news of something done.
    expect(useEditor.getState().noticeTone).toBe('problem');
    setNotice('Exported x.json.', 'news');
    expect(useEditor.getState().noticeTone).toBe('news');
    expect(connect(d, a)).toBe(true);
    expect(connect(d, b)).toBe(true);
    expect(connect(a, b)).toBe(false);
    expect(useEditor.getState().notice).toMatch(/not to each other/);
    expect(useEditor.getState().noticeTone).toBe('problem');
    expect(useEditor.getState().edges).toHaveLength(2);

    deleteItems([b], []);
    expect(docOf(useEditor.getState()).sessions.map((s) => s.id)).toEqual([d, a]);
    expect(useEditor.getState().edges).toHaveLength(1);
    undoEdit();
    expect(useEditor.getState().nodes.map((n) => n.id)).toEqual([d, a, b]);
    expect(useEditor.getState().edges).toHaveLength(2);
    redoEdit();
    expect(useEditor.getState().nodes).toHaveLength(2);
  });

  it('saves once per burst of edits (debounced) with the whole definition', async () => {
    addSessionAt('director', { x: 0, y: 0 });
    addSessionAt('department', { x: 0, y: 200 });
    expect(useEditor.getState().save).toBe('unsaved');
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS + 10);
    await flushSave();
    expect(saves).toHaveLength(1);
    expect(saves[0]).toMatchObject({ id: 'wf-1', definition: { name: 'Test' } });
    expect((saves[0] as { definition: { sessions: unknown[] } }).definition.sessions).toHaveLength(
      2,
    );
    expect(useEditor.getState().save).toBe('saved');
  });
});
