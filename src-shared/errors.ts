/**
 * Every failure that crosses a boundary is an OrchestrationError with a stable code.
 * Shared by engine, transports, SDK and renderer so each side decodes the same shape.
 */

export const ERROR_CODES = [
  'AUTH_REQUIRED',
  'INVALID_TOKEN',
  'FORBIDDEN',
  'INVALID_INPUT',
  'MISSING_FIELD',
  'INVALID_FORMAT',
  'DB_CONNECTION_FAILED',
  'QUERY_FAILED',
  'DUPLICATE_ENTRY',
  'QUEUE_FULL',
  'MESSAGE_TIMEOUT',
  'INVALID_MESSAGE',
  'WORKER_UNAVAILABLE',
  'TASK_TIMEOUT',
  'WORKER_HEALTH_FAILED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'MAINTENANCE_MODE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type ErrorSeverity = 'low' | 'medium' | 'high' | 'critical';

interface CodeDefaults {
  severity: ErrorSeverity;
  recoverable: boolean;
}

/** Defaults per code: recoverable means "the same call may succeed later or after a fix by the caller". */
const CODE_DEFAULTS: Record<ErrorCode, CodeDefaults> = {
  AUTH_REQUIRED: { severity: 'medium', recoverable: true },
  INVALID_TOKEN: { severity: 'medium', recoverable: true },
  FORBIDDEN: { severity: 'medium', recoverable: false },
  INVALID_INPUT: { severity: 'low', recoverable: true },
  MISSING_FIELD: { severity: 'low', recoverable: true },
  INVALID_FORMAT: { severity: 'low', recoverable: true },
  DB_CONNECTION_FAILED: { severity: 'critical', recoverable: false },
  QUERY_FAILED: { severity: 'high', recoverable: true },
  DUPLICATE_ENTRY: { severity: 'low', recoverable: true },
  QUEUE_FULL: { severity: 'high', recoverable: true },
  MESSAGE_TIMEOUT: { severity: 'medium', recoverable: true },
  INVALID_MESSAGE: { severity: 'low', recoverable: true },
  WORKER_UNAVAILABLE: { severity: 'high', recoverable: true },
  TASK_TIMEOUT: { severity: 'medium', recoverable: true },
  WORKER_HEALTH_FAILED: { severity: 'high', recoverable: true },
  INTERNAL_ERROR: { severity: 'critical', recoverable: false },
  SERVICE_UNAVAILABLE: { severity: 'high', recoverable: true },
  RATE_LIMITED: { severity: 'low', recoverable: true },
  MAINTENANCE_MODE: { severity: 'medium', recoverable: true },
};

export interface OrchestrationErrorOptions {
  severity?: ErrorSeverity;
  recoverable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The wire form of an error: what transports send and clients rebuild from. */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  severity: ErrorSeverity;
  recoverable: boolean;
  details: Record<string, unknown>;
}

export class OrchestrationError extends Error {
  readonly code: ErrorCode;
  readonly severity: ErrorSeverity;
  readonly recoverable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: OrchestrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OrchestrationError';
    this.code = code;
    this.severity = options.severity ?? CODE_DEFAULTS[code].severity;
    this.recoverable = options.recoverable ?? CODE_DEFAULTS[code].recoverable;
    this.details = options.details ?? {};
  }

  toJSON(): SerializedError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      severity: this.severity,
      recoverable: this.recoverable,
      details: this.details,
    };
  }
}

export class ValidationError extends OrchestrationError {
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(
    code: 'INVALID_INPUT' | 'MISSING_FIELD' | 'INVALID_FORMAT' | 'INVALID_MESSAGE',
    message: string,
    field?: string,
    value?: unknown,
    options: OrchestrationErrorOptions = {},
  ) {
    super(code, message, { ...options, details: { field, value, ...options.details } });
    this.name = 'ValidationError';
    this.field = field;
    this.value = value;
  }
}

export class AuthenticationError extends OrchestrationError {
  constructor(
    code: 'AUTH_REQUIRED' | 'INVALID_TOKEN',
    message: string,
    options?: OrchestrationErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'AuthenticationError';
  }
}

export class AuthorizationError extends OrchestrationError {
  constructor(message: string, options?: OrchestrationErrorOptions) {
    super('FORBIDDEN', message, options);
    this.name = 'AuthorizationError';
  }
}

export class DatabaseError extends OrchestrationError {
  constructor(
    code: 'DB_CONNECTION_FAILED' | 'QUERY_FAILED' | 'DUPLICATE_ENTRY',
    message: string,
    options?: OrchestrationErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'DatabaseError';
  }
}

export class MessageBusError extends OrchestrationError {
  constructor(
    code: 'QUEUE_FULL' | 'MESSAGE_TIMEOUT' | 'INVALID_MESSAGE' | 'RATE_LIMITED',
    message: string,
    options?: OrchestrationErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'MessageBusError';
  }
}

export class WorkerError extends OrchestrationError {
  constructor(
    code: 'WORKER_UNAVAILABLE' | 'TASK_TIMEOUT' | 'WORKER_HEALTH_FAILED' | 'QUEUE_FULL',
    message: string,
    options?: OrchestrationErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'WorkerError';
  }
}

export function isOrchestrationError(value: unknown): value is OrchestrationError {
  return value instanceof OrchestrationError;
}

/** Anything thrown becomes an OrchestrationError; unknown failures are INTERNAL_ERROR without a stack. */
export function toOrchestrationError(value: unknown): OrchestrationError {
  if (value instanceof OrchestrationError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new OrchestrationError('INTERNAL_ERROR', `Internal error: ${message}`, { cause: value });
}

/** Rebuilds an error received over a transport, keeping its code and details. */
export function fromSerializedError(data: SerializedError): OrchestrationError {
  const code = (ERROR_CODES as readonly string[]).includes(data.code)
    ? data.code
    : 'INTERNAL_ERROR';
  const error = new OrchestrationError(code, data.message, {
    severity: data.severity,
    recoverable: data.recoverable,
    details: data.details,
  });
  return error;
}
