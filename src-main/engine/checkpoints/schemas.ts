import { z } from 'zod';

export const createCheckpointSchema = z.strictObject({
  name: z.string().trim().min(1, 'a checkpoint needs a name').max(200),
  description: z.string().max(2_000).optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  runId: z.string().min(1).optional(),
});
export type CreateCheckpointInput = z.input<typeof createCheckpointSchema>;

export const checkpointQuerySchema = z.strictObject({
  name: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  automatic: z.boolean().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
export type CheckpointQueryInput = z.input<typeof checkpointQuerySchema>;

export const restoreOptionsSchema = z.strictObject({
  preserveCurrentState: z.boolean().optional(),
});
export type RestoreOptions = z.input<typeof restoreOptionsSchema>;

export const checkpointOptionsSchema = z.strictObject({
  /** Automatic checkpoint every N ms while a run is running; 0 (default) = off. */
  autoIntervalMs: z.number().int().min(0).optional(),
  /** Automatic checkpoint when a run ends (completed, failed, cancelled); default false. */
  onRunEnd: z.boolean().optional(),
  /** Automatic checkpoints older than this are deleted; named ones are kept. Default 30. */
  retentionDays: z.number().positive().optional(),
  /** Largest stored (compressed) checkpoint; default 100 MB. */
  maxSizeBytes: z.number().int().positive().optional(),
  codec: z.enum(['gzip', 'brotli']).optional(),
  /** How long a restore waits for deliveries in flight to settle; default 2,000 ms. */
  drainMs: z.number().int().min(0).optional(),
});
export type CheckpointOptions = z.input<typeof checkpointOptionsSchema>;
