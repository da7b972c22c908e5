/**
 * The messages between the pool (main thread) and worker.mjs. worker.mjs is plain JS, so these
 * shapes are the contract: keep both sides in step.
 */
import { ERROR_CODES, OrchestrationError, type ErrorCode } from '../../../src-shared/errors';
import type { TaskSpec } from './types';

/** An error as it crosses the thread boundary. `code` survives only if it is an ErrorCode. */
export interface WireError {
  name: string;
  message: string;
  code?: unknown;
  details?: unknown;
}

export type WireTask = string | { module: string; name?: string };

export type ToWorker =
  | { t: 'run'; id: number; task: WireTask; payload: unknown }
  | { t: 'reply'; callId: number; ok: true; value: unknown }
  | { t: 'reply'; callId: number; ok: false; error: WireError };

export type FromWorker =
  | { t: 'done'; id: number; ok: true; value: unknown }
  | { t: 'done'; id: number; ok: false; error: WireError }
  | { t: 'call'; id: number; callId: number; method: string; args: unknown[] }
  | { t: 'notify'; id: number; method: string; args: unknown[] };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function toWireError(error: unknown): WireError {
  if (error instanceof OrchestrationError) {
    return { name: error.name, message: error.message, code: error.code, details: error.details };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, code: isErrorCode(code) ? code : undefined };
  }
  return { name: 'Error', message: String(error) };
}

/** A task's own failure: its ErrorCode if it carried one, INTERNAL_ERROR otherwise, message kept. */
export function fromWireError(wire: WireError, label: string): OrchestrationError {
  const details =
    wire.details !== null && typeof wire.details === 'object'
      ? (wire.details as Record<string, unknown>)
      : {};
  const code = isErrorCode(wire.code) ? wire.code : 'INTERNAL_ERROR';
  return new OrchestrationError(code, wire.message, {
    details: { task: label, errorName: wire.name, ...details },
  });
}

export function toWireTask(spec: TaskSpec): WireTask {
  if (typeof spec === 'string') return spec;
  const module = spec.module instanceof URL ? spec.module.href : spec.module;
  return spec.name === undefined ? { module } : { module, name: spec.name };
}

/** How a task is named in errors, stats and the inspector when run() is given no label. */
export function taskLabel(spec: TaskSpec): string {
  if (typeof spec === 'string') return spec;
  const module = spec.module instanceof URL ? spec.module.pathname : spec.module;
  return `${module.split('/').pop() ?? module}#${spec.name ?? 'default'}`;
}
