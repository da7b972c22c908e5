/**
 * Security: API tokens (hashed, expiring, revocable), per-client rate limits, the audit log and
 * the input guard. The engine owns one of each (engine.tokens, engine.audit,
 * engine.security); the RPC layer (src-main/rpc/serve.ts) applies them to every call.
 */
import { z } from 'zod';
import { validate } from '../../../src-shared/validate';
import type { StoragePort } from '../store/port';
import { AuditLog, DEFAULT_AUDIT_RETENTION_MS } from './audit';
import type { InputGuardOptions } from './input-guard';
import { RateLimiter, type RateLimits } from './rate-limit';
import { TokenService } from './tokens';

export {
  AuditLog,
  DEFAULT_AUDIT_RETENTION_MS,
  type AuditCaller,
  type AuditEntry,
  type AuditInput,
} from './audit';
export type { AuditListQuery } from './audit';
export { guardParams, checkWorkspace, isInside, type InputGuardOptions } from './input-guard';
export {
  RateLimiter,
  DEFAULT_RATE_LIMITS,
  RATE_BUCKETS,
  bucketOf,
  costOf,
  type RateBucket,
  type RateLimits,
} from './rate-limit';
export {
  ANTHROPIC_API_KEY,
  FileSecretStore,
  MemorySecretStore,
  defaultSecretStore,
  runnerEnv,
  type SecretCipher,
  type SecretStore,
} from './secrets';
export {
  TokenService,
  TOKEN_PREFIX,
  hashToken,
  type AuthenticatedToken,
  type CreatedToken,
  type TokenCreateInput,
  type TokenInfo,
} from './tokens';

const positive = z.number().int().positive();

export const securityOptionsSchema = z.strictObject({
  /** Per-client limits per window (see RateLimits); defaults are SPEC.md's. */
  rateLimits: z
    .strictObject({
      bus: positive.optional(),
      database: positive.optional(),
      worker: positive.optional(),
      windowMs: positive.optional(),
    })
    .optional(),
  /** Whether the server's printed startup token (the local operator) is rate limited too. */
  limitStartupToken: z.boolean().optional(),
  /** Audit rows older than this are deleted (on start and daily). Default 90 days. */
  auditRetentionMs: positive.optional(),
  /** Session and workflow workspaces must resolve inside this directory (unset: no check). */
  workspaceRoot: z.string().min(1).optional(),
});
export type SecurityOptions = z.input<typeof securityOptionsSchema>;

/** What serve() applies to each call; every part is optional (absent = not applied). */
export interface CallSecurity extends InputGuardOptions {
  limiter?: RateLimiter;
  audit?: AuditLog;
}

export interface EngineSecurity extends CallSecurity {
  readonly limiter: RateLimiter;
  readonly audit: AuditLog;
  readonly tokens: TokenService;
  readonly limitStartupToken: boolean;
}

export async function createSecurity(
  storage: Pick<StoragePort, 'tokens' | 'audit'>,
  input: SecurityOptions | undefined,
  now: () => number,
): Promise<EngineSecurity & { close(): Promise<void> }> {
  const o = validate(securityOptionsSchema, input ?? {}, 'security options');
  const audit = new AuditLog(storage.audit, now, o.auditRetentionMs ?? DEFAULT_AUDIT_RETENTION_MS);
  await audit.start();
  const limits: Partial<RateLimits> = o.rateLimits ?? {};
  return {
    tokens: new TokenService(storage.tokens, now),
    audit,
    limiter: new RateLimiter(limits, now),
    limitStartupToken: o.limitStartupToken ?? false,
    workspaceRoot: o.workspaceRoot,
    close: () => audit.close(),
  };
}
