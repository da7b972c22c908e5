/**
 * Tells the person a request waits: a desktop notification through the Notification API (in
 * Electron the same API shows a native notification, so no IPC is needed), asking for the
 * permission on first need; a toast in the app when notifications are denied or unsupported.
 */
import type { PermissionRequest } from '../agents/types';
import { notifyWay, requestBody, requestTitle, type NotifyPermission } from './decide';
import { openRequest } from './open';

const shown = new Map<string, Notification>();

function permission(): NotifyPermission {
  return typeof window.Notification === 'function' ? window.Notification.permission : 'unsupported';
}

export async function announce(
  r: PermissionRequest,
  toast: (t: { id: string; title: string; body: string }) => void,
): Promise<void> {
  const title = requestTitle(r);
  const body = requestBody(r);
  let way = notifyWay(permission());
  if (way === 'ask') {
    try {
      way = notifyWay(
        (await window.Notification.requestPermission()) === 'granted' ? 'granted' : 'denied',
      );
    } catch {
      way = 'toast';
    }
  }
  if (way === 'notify') {
    try {
      const n = new window.Notification(title, {
        body,
        tag: r.requestId,
        requireInteraction: true,
      });
      n.onclick = () => {
        window.focus();
        openRequest(r);
        n.close();
      };
      shown.set(r.requestId, n);
      return;
    } catch {
      // Some platforms refuse page notifications (e.g. Android Chrome); the toast still tells.
    }
  }
  toast({ id: r.requestId, title, body });
}

/** The request was answered or withdrawn: its desktop notification goes away. */
export function withdraw(requestId: string): void {
  shown.get(requestId)?.close();
  shown.delete(requestId);
}
