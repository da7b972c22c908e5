/** Brings a waiting request into view: selects its session's node so the inspector shows it. */
import type { PermissionRequest } from '../agents/types';
import { selectOnly } from '../stores/editor';
import { useLive } from '../stores/live';

export function openRequest(r: Pick<PermissionRequest, 'sessionId'>): boolean {
  for (const run of useLive.getState().runs) {
    for (const [workflowId, engineId] of Object.entries(run.sessions)) {
      if (engineId === r.sessionId) {
        selectOnly([workflowId]);
        return true;
      }
    }
  }
  return false;
}
