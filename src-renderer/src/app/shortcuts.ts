/**
 * Keyboard shortcuts (not while typing in a field): undo/redo, copy/paste, and Ctrl/Cmd+S for
 * Create checkpoint — the workflow saves itself, so "save" means saving the whole orchestration.
 */
import { useEffect } from 'react';
import { openCreate } from '../stores/checkpoints';
import { copySelection, pasteClip, redoEdit, undoEdit } from '../stores/editor';
import { deniedNow } from '../security/store';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || typing(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undoEdit();
      else if ((key === 'z' && e.shiftKey) || key === 'y') redoEdit();
      else if (key === 'c') copySelection();
      else if (key === 'v') pasteClip();
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
