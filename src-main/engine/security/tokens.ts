/**
 * API tokens: random secrets handed out once, stored only as their sha256, with a role, an
 * optional expiry and a revocation time. `authenticate` turns a presented token into a
 * principal or refuses it (AUTH_REQUIRED without one; INVALID_TOKEN for an unknown, expired or
 * revoked one, the message saying which).
 */
import { hash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ROLES, type Role } from '../../../src-shared/contract';
import { AuthenticationError, ValidationError } from '../../../src-shared/errors';
import { validate } from '../../../src-shared/validate';
import type { TokenRecord, TokenStore } from '../store/port';

/** Every stored token starts with this, so a leaked one is easy to recognise (and grep for). */
export const TOKEN_PREFIX = 'orch_';
/** lastUsedAt is written at most this often per token (it is informational). */
const TOUCH_INTERVAL_MS = 60_000;
const TEN_YEARS_MS = 10 * 365 * 86_400_000;
/**
 * A token authenticated this recently is taken again without reading the store (HTTP presents
 * it on every request; reading and decoding its row doubled a request's cost). Revoking in this
 * process forgets it at once; a revocation by another process (the CLI on the same database)
 * is seen within this long, as the server's sweep closes open connections within 2 s.
 */
export const VERIFIED_TOKEN_TTL_MS = 2_000;
/** Beyond this many cached tokens, expired entries are dropped (and if none are, all). */
const VERIFIED_MAX = 10_000;

export interface CreatedToken {
  id: string;
  /** The secret: shown once, never stored. */
  token: string;
  role: Role;
  expiresAt: number | null;
  label: string | null;
}

export interface TokenInfo {
  id: string;
  role: Role;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  label: string | null;
  lastUsedAt: number | null;
}

export interface AuthenticatedToken {
  tokenId: string;
  role: Role;
  /** When the token stops being valid (null: never); open connections check it on each call. */
  expiresAt: number | null;
}

const createSchema = z.strictObject({
  role: z.enum(ROLES),
  expiresInMs: z.number().int().positive().max(TEN_YEARS_MS).optional(),
  label: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !/\p{Cc}/u.test(s), 'label must not contain control characters')
    .optional(),
});
export type TokenCreateInput = z.input<typeof createSchema>;

/** One-shot hash(): a createHash() object per call cost twice as much, on every HTTP request. */
export const hashToken = (token: string): string => hash('sha256', token, 'hex');

const info = (r: TokenRecord): TokenInfo => ({
  id: r.id,
  role: r.role as Role,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
  label: r.label,
  lastUsedAt: r.lastUsedAt,
});

export class TokenService {
  private readonly revokeListeners = new Set<(id: string) => void>();
  /** Recently authenticated tokens by hash (never the secret): see VERIFIED_TOKEN_TTL_MS. */
  private readonly verified = new Map<string, { token: AuthenticatedToken; until: number }>();

  constructor(
    private readonly store: TokenStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: TokenCreateInput): Promise<CreatedToken> {
    const p = validate(createSchema, input, 'token');
    const createdAt = this.now();
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record: TokenRecord = {
      id: `tok_${randomBytes(8).toString('hex')}`,
      hash: hashToken(token),
      role: p.role,
      label: p.label ?? null,
      createdAt,
      expiresAt: p.expiresInMs === undefined ? null : createdAt + p.expiresInMs,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.insert(record);
    return { id: record.id, token, role: p.role, expiresAt: record.expiresAt, label: record.label };
  }

  /** Every token ever created (revoked and expired ones too), oldest first; never a secret or hash. */
  async list(): Promise<TokenInfo[]> {
    return (await this.store.list()).map(info);
  }

  /** Revokes at once (open connections using it are closed by the server). INVALID_INPUT if unknown. */
  async revoke(id: string): Promise<void> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
      throw new ValidationError('INVALID_INPUT', 'A token id is required.', 'id', id);
    }
    if (!(await this.store.revoke(id, this.now()))) {
      throw new ValidationError('INVALID_INPUT', `No token with id "${id}".`, 'id', id);
    }
    this.forget(id);
    for (const l of this.revokeListeners) l(id);
  }

  /** Drops a token from the verified cache: the next authenticate reads the store. */
  forget(id: string): void {
    for (const [key, v] of this.verified) if (v.token.tokenId === id) this.verified.delete(key);
  }

  /** Called after a token is revoked in this process. Returns an unsubscribe function. */
  onRevoke(listener: (id: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }

  async authenticate(token: string | undefined): Promise<AuthenticatedToken> {
    if (token === undefined || token === '') {
      throw new AuthenticationError(
        'AUTH_REQUIRED',
        'A token is required (Authorization: Bearer <token>, or ?token=).',
      );
    }
    const key = typeof token === 'string' && token.length <= 512 ? hashToken(token) : undefined;
    const now = this.now();
    const hit = key === undefined ? undefined : this.verified.get(key);
    if (hit && now < hit.until && (hit.token.expiresAt === null || now < hit.token.expiresAt)) {
      return hit.token;
    }
    const record = key === undefined ? undefined : await this.store.findByHash(key);
    if (!record) {
      throw new AuthenticationError('INVALID_TOKEN', 'The token is not valid for this server.');
    }
    if (record.revokedAt !== null) {
      throw new AuthenticationError(
        'INVALID_TOKEN',
        `The token ${record.id} has been revoked (at ${new Date(record.revokedAt).toISOString()}).`,
        { details: { tokenId: record.id, reason: 'revoked' } },
      );
    }
    if (record.expiresAt !== null && record.expiresAt <= now) {
      throw new AuthenticationError(
        'INVALID_TOKEN',
        `The token ${record.id} has expired (at ${new Date(record.expiresAt).toISOString()}).`,
        { details: { tokenId: record.id, reason: 'expired' } },
      );
    }
    if (record.lastUsedAt === null || now - record.lastUsedAt > TOUCH_INTERVAL_MS) {
      await this.store.touch(record.id, now);
    }
    const verified = Object.freeze({
      tokenId: record.id,
      role: record.role as Role,
      expiresAt: record.expiresAt,
    });
    if (this.verified.size >= VERIFIED_MAX) this.forgetExpired(now);
    this.verified.set(key!, { token: verified, until: now + VERIFIED_TOKEN_TTL_MS });
    return verified;
  }

  private forgetExpired(now: number): void {
    for (const [key, v] of this.verified) if (now >= v.until) this.verified.delete(key);
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
  }
}
