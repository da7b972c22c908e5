/**
 * Which role may do what (SPEC.md: observers read only). The contract names each method's
 * permission; this table is the single place that maps roles to permissions.
 */
import type { Permission, Role } from '../../src-shared/contract';
import { AuthorizationError } from '../../src-shared/errors';

const ALL: readonly Permission[] = [
  'read',
  'session:create',
  'session:update',
  'message:send',
  'message:manage',
  'workflow:write',
  'run:start',
];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(ALL),
  developer: new Set(ALL),
  observer: new Set<Permission>(['read']),
};

export function assertAllowed(role: Role, permission: Permission, method: string): void {
  if (ROLE_PERMISSIONS[role].has(permission)) return;
  throw new AuthorizationError(`Role "${role}" may not call ${method} (needs ${permission}).`, {
    details: { role, permission, method },
  });
}
