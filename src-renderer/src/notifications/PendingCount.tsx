/** The header's count of requests waiting for the person; clicking opens the oldest one. */
import { openRequest } from './open';
import { usePermissions } from './store';

export function PendingCount() {
  const requests = usePermissions((s) => s.requests);
  const error = usePermissions((s) => s.error);
  if (requests.length === 0) return null;
  const n = requests.length;
  const oldest = requests.reduce((a, b) => (b.since < a.since ? b : a));
  return (
    <button
      className="pending-count"
      aria-label={`${n} ${n === 1 ? 'request waits' : 'requests wait'} for you`}
      title={error ?? `${oldest.sessionName} has waited longest; click to open it`}
      onClick={() => openRequest(oldest)}
    >
      {n} waiting
    </button>
  );
}
