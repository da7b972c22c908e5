/** Canvas tools: undo/redo, auto layout (zoom and fit view are in the Controls); and what the keyboard does. */
import { Panel } from '@xyflow/react';
import { autoLayoutNow } from '../app/actions';
import { redoEdit, selectCanRedo, selectCanUndo, undoEdit, useEditor } from '../stores/editor';

export function Toolbar() {
  const canUndo = useEditor(selectCanUndo);
  const canRedo = useEditor(selectCanRedo);
  return (
    <Panel position="top-left" className="toolbar" aria-label="Canvas tools">
      <button aria-label="Undo" disabled={!canUndo} onClick={undoEdit} title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button aria-label="Redo" disabled={!canRedo} onClick={redoEdit} title="Redo (Ctrl+Shift+Z)">
        ↷ Redo
      </button>
      <button onClick={() => void autoLayoutNow()} title="Arrange the sessions top to bottom">
        Auto layout
      </button>
    </Panel>
  );
}
