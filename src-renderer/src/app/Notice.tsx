/** A dismissible line that tells the user why an edit was refused (or what just happened). */
import { setNotice, useEditor } from '../stores/editor';

export function Notice() {
  const notice = useEditor((s) => s.notice);
  if (!notice) return null;
  return (
    <div className="notice" role="alert">
      <span>{notice}</span>
      <button aria-label="Dismiss" onClick={() => setNotice(null)}>
        ×
      </button>
    </div>
  );
}
