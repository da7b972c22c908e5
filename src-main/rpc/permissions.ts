/**
 * Which role may do what (SPEC.md: observers read only). The contract names each method's
 * permission; this table is the single place that maps roles to permissions:
 * - admin: every permission the contract knows;
 * - developer: every permission except managing security (tokens, the audit log);
 * - observer: `read` only (reads and watching the event stream).
 * A permission added to the contract later is thereby granted to admin and developer unless it
 * is listed in ADMIN_ONLY; observers never get anything but `read`.
 */
import { PERMISSIONS, type Permission, type Role } from '../../src-shared/contract';
import { AuthorizationError } from '../../src-shared/errors';

const ALL: readonly Permission[] = PERMISSIONS;

/** Permissions only admins hold (strings, so they may be named before the contract has them). */
export const ADMIN_ONLY: ReadonlySet<string> = new Set([
  'token:manage',
  'audit:read',
  'security:manage',
]);

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(ALL),
  developer: new Set(ALL.filter((p) => !ADMIN_ONLY.has(p))),
  observer: new Set<Permission>(['read']),
};

export function isAllowed(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}

export function assertAllowed(role: Role, permission: Permission, method: string): void {
  if (isAllowed(role, permission)) return;
  throw new AuthorizationError(`Role "${role}" may not call ${method} (needs ${permission}).`, {
    details: { role, permission, method },
  });
}
