/** A dismissible line that tells the user why an edit was refused (or what just happened). */
import { setNotice, useEditor } from '../stores/editor';

export function Notice() {
  const notice = useEditor((s) => s.notice);
  const tone = useEditor((s) => s.noticeTone);
  if (!notice) return null;
  // A refusal interrupts (alert); news (progress, something done) waits its turn (status).
  return (
    <div className={`notice ${tone}`} role={tone === 'news' ? 'status' : 'alert'}>
      <span>{notice}</span>
      <button aria-label="Dismiss" onClick={() => setNotice(null)}>
        ×
      </button>
    </div>
  );
}
