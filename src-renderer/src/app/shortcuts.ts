/** Keyboard shortcuts: undo/redo, copy/paste (not while typing in a field). */
import { useEffect } from 'react';
import { copySelection, pasteClip, redoEdit, undoEdit } from '../stores/editor';

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
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
