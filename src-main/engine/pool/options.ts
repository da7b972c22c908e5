import type { ResourceLimits } from 'node:worker_threads';
import { ValidationError } from '../../../src-shared/errors';
import { POOL_DEFAULTS, type ResolvedPoolOptions, type WorkerPoolOptions } from './types';
import { defaultWorkerUrl } from './worker-url';

export function resolvePoolOptions(options: WorkerPoolOptions): ResolvedPoolOptions {
  const resolved: ResolvedPoolOptions = {
    minWorkers: options.minWorkers ?? POOL_DEFAULTS.minWorkers,
    maxWorkers: options.maxWorkers ?? POOL_DEFAULTS.maxWorkers,
    maxQueue: options.maxQueue ?? POOL_DEFAULTS.maxQueue,
    taskTimeoutMs: options.taskTimeoutMs ?? POOL_DEFAULTS.taskTimeoutMs,
    maxRetries: options.maxRetries ?? POOL_DEFAULTS.maxRetries,
    idleTimeoutMs: options.idleTimeoutMs ?? POOL_DEFAULTS.idleTimeoutMs,
    workerUrl: options.workerUrl ?? defaultWorkerUrl(),
    name: options.name ?? 'pool',
    resourceLimits: options.resourceLimits,
    execArgv: options.execArgv,
  };
  const count = (field: keyof ResolvedPoolOptions, min: number): void => {
    const value = resolved[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Pool option ${field} must be an integer ≥ ${min}`,
        field,
        value,
      );
    }
  };
  count('minWorkers', 0);
  count('maxWorkers', 1);
  count('maxQueue', 0);
  count('maxRetries', 0);
  if (resolved.minWorkers > resolved.maxWorkers) {
    throw new ValidationError(
      'INVALID_INPUT',
      'minWorkers must not exceed maxWorkers',
      'minWorkers',
      resolved.minWorkers,
    );
  }
  for (const field of ['taskTimeoutMs', 'idleTimeoutMs'] as const) {
    if (!(resolved[field] >= 0)) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Pool option ${field} must be ≥ 0`,
        field,
        resolved[field],
      );
    }
  }
  return resolved;
}

/** A timeout that is 0, Infinity or missing means none. */
export function hasTimeout(ms: number): boolean {
  return ms > 0 && Number.isFinite(ms);
}

/** Workers are shared only by tasks with equal limits: this is the key they share. */
export function limitsKey(limits: ResourceLimits | undefined): string {
  if (limits === undefined) return '';
  const { maxOldGenerationSizeMb, maxYoungGenerationSizeMb, codeRangeSizeMb, stackSizeMb } = limits;
  return JSON.stringify([
    maxOldGenerationSizeMb,
    maxYoungGenerationSizeMb,
    codeRangeSizeMb,
    stackSizeMb,
  ]);
}
