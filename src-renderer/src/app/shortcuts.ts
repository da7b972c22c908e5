/**
 * Keyboard shortcuts (not while typing in a field): undo/redo, copy/paste, Ctrl/Cmd+S for
 * Create checkpoint — the workflow saves itself, so "save" means saving the whole orchestration —
 * Ctrl/Cmd+Enter to run, and ? for the list of them all (SHORTCUTS, which the dialog shows).
 */
import { useEffect } from 'react';
import { openCreate } from '../stores/checkpoints';
import { copySelection, pasteClip, redoEdit, undoEdit, useEditor } from '../stores/editor';
import { setShortcutsOpen, useUi } from '../stores/ui';
import { deniedNow } from '../security/store';
import { startRun } from './actions';

/** What the keyboard does, as the Keyboard shortcuts dialog lists it. */
export const SHORTCUTS: readonly { keys: string; does: string }[] = [
  { keys: 'Ctrl/Cmd+S', does: 'Create checkpoint (sessions, messages, runs, workflows)' },
  { keys: 'Ctrl/Cmd+Enter', does: 'Run the workflow with the run input' },
  { keys: 'Ctrl/Cmd+Z', does: 'Undo an edit of the canvas' },
  { keys: 'Ctrl/Cmd+Shift+Z, Ctrl/Cmd+Y', does: 'Redo' },
  { keys: 'Ctrl/Cmd+C, Ctrl/Cmd+V', does: 'Copy and paste the selected sessions' },
  { keys: 'Delete, Backspace', does: 'Delete the selected sessions and connections' },
  { keys: 'Shift+drag', does: 'Draw a box around the sessions to select' },
  { keys: 'Ctrl/Cmd+click', does: 'Add a session to the selection' },
  { keys: 'Enter (in the run input)', does: 'Run' },
  { keys: 'Escape', does: 'Close a dialog' },
  { keys: '?', does: 'Show these shortcuts' },
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function runNow(): void {
  // Run's button is off on an empty canvas: so is its shortcut.
  if (useEditor.getState().nodes.length > 0) void startRun(useUi.getState().runInput);
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target)) return;
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey) {
        setShortcutsOpen(true);
        e.preventDefault();
        return;
      }
      if (!(e.ctrlKey || e.metaKey)) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undoEdit();
      else if ((key === 'z' && e.shiftKey) || key === 'y') redoEdit();
      else if (key === 'c') copySelection();
      else if (key === 'v') pasteClip();
      else if (key === 'enter') runNow();
      else if (key === 's') {
        // Never the browser's "save page", even for a role that may not create checkpoints.
        if (!deniedNow('checkpoints.create')) openCreate();
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
