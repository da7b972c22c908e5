/**
 * What this connection may do and what it was refused: the role the engine reports for our
 * token (engine.info), and the last RATE_LIMITED answer with when to retry.
 */
import { create } from 'zustand';
import type { MethodName, Role } from '../../../src-shared/contract';
import { isOrchestrationError } from '../../../src-shared/errors';
import { refusalReason } from '../../../src-shared/permissions';
import { api, onCallFailed } from '../api';
import { noteRecovery } from '../recovery/store';

export interface RateLimitHit {
  method: MethodName;
  message: string;
  /** When a retry may succeed (ms since epoch). */
  retryAt: number;
}

interface SecurityState {
  /** null until engine.info answered. */
  role: Role | null;
  rateLimit: RateLimitHit | null;
  auditOpen: boolean;
}

export const useSecurity = create<SecurityState>(() => ({
  role: null,
  rateLimit: null,
  auditOpen: false,
}));

let loading: Promise<void> | undefined;

/** Asks the engine for our role (and what its start-up recovered) once; again after a failure. */
export function loadRole(): Promise<void> {
  loading ??= api()
    .call('engine.info', undefined)
    .then((info) => {
      useSecurity.setState({ role: info.role });
      noteRecovery(info.recovery);
    })
    .catch(() => {
      loading = undefined;
    });
  return loading;
}

let watching = false;
/** Starts listening for RATE_LIMITED answers to any call. */
export function watchRateLimits(): void {
  if (watching) return;
  watching = true;
  onCallFailed((error, method) => {
    if (!isOrchestrationError(error) || error.code !== 'RATE_LIMITED') return;
    const wait = Number(error.details.retryAfterMs ?? 1_000);
    useSecurity.setState({
      rateLimit: { method, message: error.message, retryAt: Date.now() + wait },
    });
  });
}

export const dismissRateLimit = () => useSecurity.setState({ rateLimit: null });
export const openAudit = () => useSecurity.setState({ auditOpen: true });
export const closeAudit = () => useSecurity.setState({ auditOpen: false });

/** Why our role may not call `method` now (outside React), or undefined. */
export function deniedNow(method: MethodName): string | undefined {
  const { role } = useSecurity.getState();
  return role ? refusalReason(role, method) : undefined;
}

/**
 * `deny(method)`: why our role may not call it (for a disabled control's title), or undefined.
 * Until the role is known nothing is denied: the server refuses anyway.
 */
export function useDenied(): (method: MethodName) => string | undefined {
  const role = useSecurity((s) => s.role);
  return (method) => (role ? refusalReason(role, method) : undefined);
}
