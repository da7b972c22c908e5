/** In-app notices for waiting requests when desktop notifications are denied or unsupported. */
import './notifications.css';
import { openRequest } from './open';
import { dismissToast, usePermissions } from './store';

export function Toasts() {
  const toasts = usePermissions((s) => s.toasts);
  if (toasts.length === 0) return null;
  const open = (id: string) => {
    const r = usePermissions.getState().requests.find((x) => x.requestId === id);
    if (r) openRequest(r);
    dismissToast(id);
  };
  return (
    <section className="toasts" aria-label="Notifications">
      {toasts.map((t) => (
        <div key={t.id} className="toast" role="alert">
          <strong>{t.title}</strong>
          {t.body && <span className="mono">{t.body}</span>}
          <div className="row">
            <button onClick={() => open(t.id)}>Open</button>
            <button aria-label="Dismiss notification" onClick={() => dismissToast(t.id)}>
              ×
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
