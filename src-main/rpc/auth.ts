/**
 * Who is calling. A connection presents a token; an Authenticator turns it into a role or
 * refuses (AUTH_REQUIRED without a token, INVALID_TOKEN for a wrong one). The default is the
 * one random token the server prints at start; a token store with roles and expiry can plug in
 * here without touching the transports.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../src-shared/contract';
import { AuthenticationError } from '../../src-shared/errors';

export interface Principal {
  role: Role;
  /** Stable id for audit logs; never the token itself. */
  tokenId: string;
  /** When the token stops being valid (null or absent: never). */
  expiresAt?: number | null;
}

export type Authenticator = (token: string | undefined) => Principal | Promise<Principal>;

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (s: string) => hash('sha256', s, 'buffer');

/** Accepts exactly `token`, as `role`. */
export function singleTokenAuthenticator(token: string, role: Role = 'admin'): Authenticator {
  return tokenTableAuthenticator({ [token]: role });
}

/** The principal of a table's token, or undefined. Compares digests in constant time. */
export function tokenTableMatcher(
  tokens: Record<string, Role>,
): (presented: string) => Principal | undefined {
  const table = Object.entries(tokens).map(([token, role]) => {
    const hash = digest(token);
    return { hash, role, tokenId: `static:${hash.subarray(0, 4).toString('hex')}` };
  });
  return (presented) => {
    const hash = digest(presented);
    const match = table.find((t) => timingSafeEqual(hash, t.hash));
    return match && { role: match.role, tokenId: match.tokenId };
  };
}

/** Accepts the tokens of a table, each with its role. */
export function tokenTableAuthenticator(tokens: Record<string, Role>): Authenticator {
  const match = tokenTableMatcher(tokens);
  return (presented) => {
    if (presented === undefined || presented === '') {
      throw new AuthenticationError(
        'AUTH_REQUIRED',
        'A token is required: open the URL the server printed (it ends in ?token=…).',
      );
    }
    const principal = match(presented);
    if (!principal) {
      throw new AuthenticationError('INVALID_TOKEN', 'The token is not valid for this server.');
    }
    return principal;
  };
}
