/**
 * The server's side of src-shared/permissions.ts (the one role → permission table): refuses a
 * call the caller's role may not make with FORBIDDEN.
 */
import type { Permission, Role } from '../../src-shared/contract';
import { AuthorizationError } from '../../src-shared/errors';
import { isAllowed } from '../../src-shared/permissions';

export { ADMIN_ONLY, ROLE_PERMISSIONS, isAllowed } from '../../src-shared/permissions';

export function assertAllowed(role: Role, permission: Permission, method: string): void {
  if (isAllowed(role, permission)) return;
  throw new AuthorizationError(`Role "${role}" may not call ${method} (needs ${permission}).`, {
    details: { role, permission, method },
  });
}
