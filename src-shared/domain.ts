/** Domain facts from SPEC.md: session types and lifecycle, message types, priorities, directions. */

export const API_VERSION = '1.0.0';

export const SESSION_TYPES = ['director', 'department', 'observer'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export const SESSION_STATUSES = [
  'initializing',
  'active',
  'idle',
  'completed',
  'error',
  'terminated',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The only legal moves; `completed` and `terminated` are final. */
export const SESSION_TRANSITIONS: Record<SessionStatus, readonly SessionStatus[]> = {
  initializing: ['active', 'error'],
  active: ['idle', 'completed', 'error', 'terminated'],
  idle: ['active', 'terminated'],
  error: ['terminated'],
  completed: [],
  terminated: [],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

export function isFinalStatus(status: SessionStatus): boolean {
  return SESSION_TRANSITIONS[status].length === 0;
}

export const DIRECTOR_TO_DEPARTMENT = [
  'DIRECTION',
  'COMMAND',
  'VERIFICATION_REQUEST',
  'MERGE_REQUEST',
] as const;
export const DEPARTMENT_TO_DIRECTOR = [
  'STATUS_UPDATE',
  'PROGRESS_REPORT',
  'COMPLETION_NOTIFICATION',
  'BLOCKED_NOTIFICATION',
] as const;
export const BIDIRECTIONAL = ['HEARTBEAT', 'ERROR', 'ACKNOWLEDGMENT'] as const;
export const SYSTEM_TYPES = [
  'SESSION_REGISTER',
  'SESSION_DEREGISTER',
  'CHECKPOINT_CREATE',
  'CHECKPOINT_RESTORE',
] as const;

export const MESSAGE_TYPES = [
  ...DIRECTOR_TO_DEPARTMENT,
  ...DEPARTMENT_TO_DIRECTOR,
  ...BIDIRECTIONAL,
  ...SYSTEM_TYPES,
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const PRIORITIES = { LOW: 1, NORMAL: 2, HIGH: 3, CRITICAL: 4 } as const;
export type PriorityName = keyof typeof PRIORITIES;
export type PriorityValue = (typeof PRIORITIES)[PriorityName];

export function priorityName(value: number): PriorityName {
  const found = (Object.keys(PRIORITIES) as PriorityName[]).find((k) => PRIORITIES[k] === value);
  return found ?? 'NORMAL';
}

/** The sender used for system messages (registration, checkpoints) that no session sends. */
export const SYSTEM_SENDER = 'system';

/**
 * Which message types a session of `from` type may send to one of `to` type.
 * `to` is undefined when the receiver is not registered yet (or the message is a broadcast):
 * then only the sender side of the rule can be checked.
 */
export function allowedTypes(from: SessionType, to?: SessionType): readonly MessageType[] {
  if (from === 'observer') return [];
  if (to === 'observer') return [];
  if (from === 'director') {
    if (to === 'director') return BIDIRECTIONAL;
    return [...DIRECTOR_TO_DEPARTMENT, ...BIDIRECTIONAL];
  }
  if (to === 'department') return BIDIRECTIONAL;
  return [...DEPARTMENT_TO_DIRECTOR, ...BIDIRECTIONAL];
}
