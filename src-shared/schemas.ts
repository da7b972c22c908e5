/** zod schemas for every public engine input; the engine, transports, SDK and renderer share them. */
import { z } from 'zod';
import { MESSAGE_TYPES, PRIORITIES, SESSION_STATUSES, SESSION_TYPES } from './domain';

const NAME_MAX = 200;
// Control characters would corrupt logs and terminals; names are shown everywhere.
const printable = (field: string) =>
  z
    .string()
    .min(1, `${field} must not be empty`)
    .max(NAME_MAX, `${field} must be at most ${NAME_MAX} characters`)
    .refine((s) => !/\p{Cc}/u.test(s), `${field} must not contain control characters`);

export const jsonObject = z.record(z.string(), z.unknown());

export const sessionTypeSchema = z.enum(SESSION_TYPES);
export const sessionStatusSchema = z.enum(SESSION_STATUSES);

export const sessionCreateSchema = z.strictObject({
  type: sessionTypeSchema,
  name: printable('name'),
  workspace: z.string().min(1).max(4096).nullish(),
  state: jsonObject.optional(),
  metadata: jsonObject.optional(),
  timeoutMs: z.number().int().positive().max(86_400_000).optional(),
});
export type SessionCreateInput = z.input<typeof sessionCreateSchema>;

export const sessionUpdateSchema = z.strictObject({
  name: printable('name').optional(),
  workspace: z.string().min(1).max(4096).nullish(),
  status: sessionStatusSchema.optional(),
  state: jsonObject.optional(),
  metadata: jsonObject.optional(),
  reason: z.string().max(2000).optional(),
});
export type SessionUpdateInput = z.input<typeof sessionUpdateSchema>;

export const sessionListSchema = z
  .strictObject({
    type: sessionTypeSchema.optional(),
    status: z.union([sessionStatusSchema, z.array(sessionStatusSchema)]).optional(),
  })
  .optional();
export type SessionListQuery = z.input<typeof sessionListSchema>;

export const messageTypeSchema = z.enum(MESSAGE_TYPES, {
  error: (issue) =>
    `unknown message type ${JSON.stringify(issue.input)}; expected one of ${MESSAGE_TYPES.join(', ')}`,
});

const priorityNames = Object.keys(PRIORITIES) as (keyof typeof PRIORITIES)[];
/** Accepts LOW/NORMAL/HIGH/CRITICAL or 1–4 and yields the number. */
export const prioritySchema = z
  .union([z.enum(priorityNames), z.literal([1, 2, 3, 4])], {
    error: (issue) =>
      `priority ${JSON.stringify(issue.input)} is not one of LOW, NORMAL, HIGH, CRITICAL (or 1–4)`,
  })
  .transform((p) => (typeof p === 'number' ? p : PRIORITIES[p]));

export const messageMetadataSchema = z
  .looseObject({
    tags: z.array(z.string().min(1).max(100)).max(50).optional(),
    correlationId: z.string().min(1).max(200).optional(),
  })
  .optional();

export const publishSchema = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  type: messageTypeSchema,
  priority: prioritySchema.optional(),
  sender: z.string({ error: 'sender is required: the id or name of the sending session' }).min(1),
  receiver: z.string().min(1).max(NAME_MAX).nullish(),
  content: z.unknown().optional(),
  metadata: messageMetadataSchema,
  maxRetries: z.number().int().min(0).max(100).optional(),
  requiresResponse: z.boolean().optional(),
  responseDeadline: z.number().int().positive().optional(),
  /** Deliver no earlier than this many milliseconds from now. */
  delayMs: z.number().int().min(0).max(31_536_000_000).optional(),
  /** Dead-letter the message (reason "expired") if it is still undelivered after this many milliseconds. */
  ttlMs: z.number().int().positive().optional(),
});
export type PublishInput = z.input<typeof publishSchema>;
/** Codes a publish check uses (validate's `codes`): a bad type or content is INVALID_MESSAGE. */
export const PUBLISH_CODES = { type: 'INVALID_MESSAGE', content: 'INVALID_MESSAGE' } as const;
export type ParsedPublish = z.output<typeof publishSchema>;

const stringList = z.array(z.string().min(1)).min(1);
export const subscriptionFilterSchema = z
  .strictObject({
    types: z.array(messageTypeSchema).min(1).optional(),
    priorities: z.array(prioritySchema).min(1).optional(),
    senders: stringList.optional(),
    receivers: stringList.optional(),
    tags: stringList.optional(),
  })
  .optional();
export type SubscriptionFilter = z.input<typeof subscriptionFilterSchema>;

export const messageQuerySchema = z
  .strictObject({
    receiver: z.string().min(1).optional(),
    sender: z.string().min(1).optional(),
    state: z.enum(['pending', 'leased', 'acknowledged', 'dead']).optional(),
    type: messageTypeSchema.optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .optional();
export type MessageQuery = z.input<typeof messageQuerySchema>;
