import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import {
  AuthenticationError,
  AuthorizationError,
  OrchestrationError,
  ValidationError,
} from '../../../../src-shared/errors';

/** What the runner ends with when ctx.signal aborts: the abort reason if it is already an OrchestrationError. */
export function abortError(signal: AbortSignal | undefined, what: string): OrchestrationError {
  const reason: unknown = signal?.reason;
  if (reason instanceof OrchestrationError) return reason;
  const text =
    reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return new OrchestrationError(
    'INTERNAL_ERROR',
    `${what} was cancelled${text ? `: ${text}` : ''}`,
    {
      severity: 'low',
      recoverable: false,
      details: { cancelled: true },
    },
  );
}

export interface ErrorContext {
  signal?: AbortSignal | undefined;
  /** True once the response stream had started (the SDK no longer retries then). */
  midStream: boolean;
  /** Characters of text received before the failure. */
  receivedChars: number;
  maxRetries: number;
}

function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms / 1000;
  const s = Number(headers?.get('retry-after'));
  return Number.isFinite(s) && s > 0 ? s : undefined;
}

/** Maps anything the SDK throws to an OrchestrationError with a stable code. Never includes the API key. */
export function toClaudeError(error: unknown, context: ErrorContext): OrchestrationError {
  if (error instanceof OrchestrationError) return error;
  if (context.signal?.aborted || error instanceof APIUserAbortError) {
    return abortError(context.signal, 'The Claude request');
  }
  const interrupted = `The Claude response stream was interrupted after ${context.receivedChars} characters of text`;
  const base = { receivedChars: context.receivedChars };

  if (
    error instanceof APIError &&
    error.status !== undefined &&
    !(error instanceof APIConnectionError)
  ) {
    const status = error.status;
    const details = {
      ...base,
      status,
      type: error.type,
      requestId: error.requestID ?? null,
      apiMessage: error.apiMessage,
    };
    const apiText = error.apiMessage ?? error.message;
    const retried = context.maxRetries > 0 ? ` (after ${context.maxRetries} retries)` : '';
    if (status === 401) {
      return new AuthenticationError(
        'INVALID_TOKEN',
        `The Anthropic API rejected the API key (401): ${apiText}. Check ANTHROPIC_API_KEY or the runner's apiKey`,
        { details, cause: error },
      );
    }
    if (status === 403) {
      return new AuthorizationError(`The Anthropic API refused the request (403): ${apiText}`, {
        details,
        cause: error,
      });
    }
    if (status === 429) {
      return new OrchestrationError(
        'RATE_LIMITED',
        `The Anthropic API is rate limiting${retried}: ${apiText}`,
        {
          details: { ...details, retryAfter: retryAfterSeconds(error.headers) ?? null },
          cause: error,
        },
      );
    }
    if (status === 529 || error.type === 'overloaded_error') {
      return new OrchestrationError(
        'SERVICE_UNAVAILABLE',
        `The Anthropic API is overloaded (529)${retried}`,
        {
          details,
          cause: error,
        },
      );
    }
    if (status >= 500) {
      return new OrchestrationError(
        'SERVICE_UNAVAILABLE',
        `The Anthropic API failed with ${status}${retried}: ${apiText}`,
        { details, cause: error },
      );
    }
    if (status === 400 || status === 404 || status === 413 || status === 422) {
      return new ValidationError(
        'INVALID_INPUT',
        `The Anthropic API refused the request (${status}): ${apiText}`,
        undefined,
        undefined,
        {
          details,
          cause: error,
        },
      );
    }
    return new OrchestrationError(
      'INTERNAL_ERROR',
      `The Anthropic API answered ${status}: ${apiText}`,
      {
        details,
        cause: error,
      },
    );
  }

  if (context.midStream) {
    // An `error` event inside the stream (e.g. overloaded_error) or the connection dropping.
    const why =
      error instanceof APIError && error.type ? `an ${error.type} event` : errorText(error);
    return new OrchestrationError('SERVICE_UNAVAILABLE', `${interrupted} (${why})`, {
      details: {
        ...base,
        interrupted: true,
        ...(error instanceof APIError ? { type: error.type } : {}),
      },
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    return new OrchestrationError(
      'SERVICE_UNAVAILABLE',
      `Cannot reach the Anthropic API${context.maxRetries > 0 ? ` after ${context.maxRetries} retries` : ''}: ${errorText(error)}`,
      { details: base, cause: error },
    );
  }
  return new OrchestrationError('INTERNAL_ERROR', `Claude request failed: ${errorText(error)}`, {
    details: base,
    cause: error,
  });
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
