import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { validate } from '../../src-shared/validate';
import { DEFAULT_BUS_OPTIONS } from './bus';

const positiveInt = z.number().int().positive();

export const engineOptionsSchema = z.strictObject({
  databasePath: z
    .string({ error: 'databasePath is required: where the SQLite database lives' })
    .min(1),
  messageQueuePath: z.string().min(1).optional(),
  durability: z.enum(['normal', 'full']).optional(),
  maxSessions: positiveInt.max(100_000).optional(),
  sessionTimeoutMs: positiveInt.optional(),
  nativeBinding: z.string().min(1).optional(),
  now: z.custom<() => number>((v) => typeof v === 'function').optional(),
  bus: z
    .strictObject({
      maxQueueSize: positiveInt.optional(),
      maxContentBytes: positiveInt.optional(),
      maxBatchSize: positiveInt.optional(),
      defaultMaxRetries: z.number().int().min(0).max(100).optional(),
      leaseMs: positiveInt.optional(),
      backoffBaseMs: positiveInt.optional(),
      backoffMaxMs: positiveInt.optional(),
      pollIntervalMs: positiveInt.optional(),
      maxInFlight: positiveInt.optional(),
      deliveryBatchSize: positiveInt.optional(),
    })
    .optional(),
});

export type EngineOptions = z.input<typeof engineOptionsSchema>;

export const DEFAULT_MAX_SESSIONS = 100;
export const DEFAULT_SESSION_TIMEOUT_MS = 300_000;

/** Validated options with every default filled in. */
export function resolveEngineOptions(input: EngineOptions) {
  const o = validate(engineOptionsSchema, input, 'engine options');
  const databasePath = o.databasePath === ':memory:' ? o.databasePath : resolve(o.databasePath);
  const base = databasePath === ':memory:' ? process.cwd() : dirname(databasePath);
  return {
    databasePath,
    messageQueuePath: resolve(o.messageQueuePath ?? join(base, '.orchestration', 'queue')),
    durability: o.durability ?? 'normal',
    maxSessions: o.maxSessions ?? DEFAULT_MAX_SESSIONS,
    sessionTimeoutMs: o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    nativeBinding: o.nativeBinding,
    now: o.now ?? Date.now,
    bus: { ...DEFAULT_BUS_OPTIONS, ...o.bus },
  };
}
