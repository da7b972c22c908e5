/**
 * Which role may do what (SPEC.md: observers read only) — one table for the server, which
 * enforces it on every call, and the app, which greys out what the role cannot do:
 * - admin: every permission the contract knows;
 * - developer: every permission except managing security (tokens, the audit log);
 * - observer: `read` only (reads and watching the event stream).
 * A permission added to the contract later is thereby granted to admin and developer unless it
 * is listed in ADMIN_ONLY; observers never get anything but `read`.
 */
import { PERMISSIONS, contract, type MethodName, type Permission, type Role } from './contract';

/** Permissions only admins hold (strings, so they may be named before the contract has them). */
export const ADMIN_ONLY: ReadonlySet<string> = new Set([
  'token:manage',
  'audit:read',
  'security:manage',
]);

const ALL: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(ALL),
  developer: new Set(ALL.filter((p) => !ADMIN_ONLY.has(p))),
  observer: new Set<Permission>(['read']),
};

export function isAllowed(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}

/** Why `role` may not call `method` (a sentence for a tooltip), or undefined when it may. */
export function refusalReason(role: Role, method: MethodName): string | undefined {
  const { permission } = contract[method];
  if (isAllowed(role, permission)) return undefined;
  return `Your role (${role}) cannot do this: it needs the ${permission} permission.`;
}
