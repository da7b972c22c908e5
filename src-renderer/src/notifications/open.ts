/**
 * Brings a waiting request into view: selects its session's node and shows the Inspector tab,
 * where the request is answered.
 */
import type { PermissionRequest } from '../agents/types';
import { selectOnly } from '../stores/editor';
import { useLive } from '../stores/live';
import { setSideTab } from '../stores/ui';

export function openRequest(r: Pick<PermissionRequest, 'sessionId'>): boolean {
  for (const run of useLive.getState().runs) {
    for (const [workflowId, engineId] of Object.entries(run.sessions)) {
      if (engineId === r.sessionId) {
        selectOnly([workflowId]);
        setSideTab('inspector');
        return true;
      }
    }
  }
  return false;
}
