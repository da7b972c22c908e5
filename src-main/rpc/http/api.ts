/**
 * `POST /api/rpc` with `{ "method": "...", "params": {...} }`: the same contract over plain
 * HTTP, for curl and scripts. It runs through the very same serve() as WebSocket and IPC (one
 * request frame over a one-shot transport), so validation, roles and error codes are identical.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode, OrchestrationError } from '../../../src-shared/errors';
import { ValidationError, toOrchestrationError } from '../../../src-shared/errors';
import { MAX_FRAME_BYTES, parseRawFrame, type ServerFrame } from '../../../src-shared/protocol';
import { serve, type ServeOptions } from '../serve';
import type { ServedEngine } from '../services';

const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTH_REQUIRED: 401,
  INVALID_TOKEN: 401,
  FORBIDDEN: 403,
  INVALID_INPUT: 400,
  MISSING_FIELD: 400,
  INVALID_FORMAT: 400,
  INVALID_MESSAGE: 400,
  DUPLICATE_ENTRY: 409,
  RATE_LIMITED: 429,
  QUEUE_FULL: 503,
  SERVICE_UNAVAILABLE: 503,
  MAINTENANCE_MODE: 503,
  MESSAGE_TIMEOUT: 504,
  TASK_TIMEOUT: 504,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export function sendError(res: ServerResponse, error: OrchestrationError): void {
  sendJson(res, statusFor(error.code), { error: error.toJSON() });
}

/** `Retry-After` (whole seconds, rounded up) for an error that says when to come back. */
export function retryAfterHeader(error: { details?: Record<string, unknown> }): string | undefined {
  const ms = error.details?.retryAfterMs;
  return typeof ms === 'number' && ms >= 0 ? String(Math.max(1, Math.ceil(ms / 1000))) : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const error = (body as { error?: { details?: Record<string, unknown> } }).error;
  const retryAfter = error && retryAfterHeader(error);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(retryAfter && { 'retry-after': retryAfter }),
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FRAME_BYTES) {
        reject(
          new ValidationError('INVALID_FORMAT', `Request body exceeds ${MAX_FRAME_BYTES} bytes.`),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function handleApiCall(
  engine: ServedEngine,
  options: ServeOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  try {
    const body = parseRawFrame(await readBody(req)) as { method?: unknown; params?: unknown };
    const frame = { type: 'request', id: 1, method: body.method, params: body.params };
    const reply = await oneShot(engine, options, frame);
    if ('error' in reply) sendJson(res, statusFor(reply.error.code), { error: reply.error });
    else sendJson(res, 200, { result: (reply as { result: unknown }).result });
  } catch (error) {
    sendError(res, toOrchestrationError(error));
  }
}

function oneShot(engine: ServedEngine, options: ServeOptions, frame: unknown) {
  return new Promise<Extract<ServerFrame, { type: 'response' }>>((resolve) => {
    let onFrame: (raw: unknown) => void = () => {};
    let onClose: () => void = () => {};
    serve(
      engine,
      {
        send: (f) => {
          if (f.type !== 'response') return;
          resolve(f);
          onClose();
        },
        onFrame: (l) => void (onFrame = l),
        onClose: (l) => void (onClose = l),
        close: () => onClose(),
      },
      options,
    );
    onFrame(frame);
  });
}
