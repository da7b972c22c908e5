/**
 * Serves the contract over one transport (one connection). Every frame is decoded and checked
 * (size, depth, shape), every params object validated against the method's zod schema, every
 * call checked against the caller's role; failures go back as OrchestrationError JSON with a
 * stable code, never a stack trace. The connection keeps serving after any bad frame.
 */
import { contract, isMethodName, type MethodName, type Role } from '../../src-shared/contract';
import {
  AuthenticationError,
  OrchestrationError,
  ValidationError,
  toOrchestrationError,
} from '../../src-shared/errors';
import {
  decodeClientFrame,
  type RequestFrame,
  type RequestId,
  type ServerFrame,
  type ServerTransport,
} from '../../src-shared/protocol';
import { PUBLISH_CODES, publishSchema } from '../../src-shared/schemas';
import { validate } from '../../src-shared/validate';
import {
  bucketOf,
  costOf,
  guardParams,
  type CallSecurity,
  type EngineSecurity,
} from '../engine/security';
import { EventPump, type EventPumpOptions } from './event-pump';
import { createHandlers, type Handlers } from './handlers';
import { assertAllowed } from './permissions';
import type { ServedEngine } from './services';

export interface ServeOptions {
  role: Role;
  /** Reported by engine.info. */
  databasePath?: string;
  /** Calls one connection may have running at once; more are refused with RATE_LIMITED. */
  maxInFlight?: number;
  events?: EventPumpOptions;
  /** Where unexpected (INTERNAL_ERROR) failures are reported; the client only sees the code. */
  onInternalError?: (error: unknown, method: string | undefined) => void;
  /** Who is calling, for the audit log and rate limits (default `local:<role>`). */
  tokenId?: string;
  /** 'websocket', 'http', 'ipc', 'in-process' (default) … for the audit log. */
  transport?: string;
  /** The remote address, when there is one. */
  client?: string;
  /** When the caller's token expires (calls after it are refused with INVALID_TOKEN). */
  expiresAt?: number | null;
  /**
   * Rate limiter, audit log and workspace root applied to every call. Default: the engine's
   * audit log and workspace root, no rate limit (the local, in-process user).
   */
  security?: CallSecurity;
}

/** Outcomes that are refusals: audited even for read-only methods. */
const REFUSALS = new Set(['FORBIDDEN', 'RATE_LIMITED', 'AUTH_REQUIRED', 'INVALID_TOKEN']);

export interface Connection {
  close(): void;
}

const handlerCache = new WeakMap<object, Handlers>();

export function serve(
  engine: ServedEngine,
  transport: ServerTransport,
  options: ServeOptions,
): Connection {
  let handlers = handlerCache.get(engine);
  if (!handlers) handlerCache.set(engine, (handlers = createHandlers(engine)));
  const ctx = { role: options.role, databasePath: options.databasePath ?? '' };
  const maxInFlight = options.maxInFlight ?? 256;
  const report = options.onInternalError ?? defaultReport;
  const engineSecurity = (engine as { security?: EngineSecurity }).security;
  const security: CallSecurity = options.security ?? {
    audit: engineSecurity?.audit,
    workspaceRoot: engineSecurity?.workspaceRoot,
  };
  const who = {
    tokenId: options.tokenId ?? `local:${options.role}`,
    role: options.role,
    transport: options.transport ?? 'in-process',
    client: options.client ?? null,
  };
  const audit = security.audit?.recorder(who);
  const limiter = security.limiter;
  let inFlight = 0;
  let open = true;

  const send = (frame: ServerFrame) => {
    if (!open) return;
    try {
      transport.send(frame);
    } catch (error) {
      report(error, undefined); // a dead socket; onClose follows
    }
  };
  const fail = (id: RequestId | null, error: unknown, method?: string) => {
    let e = toOrchestrationError(error);
    if (e.code === 'INTERNAL_ERROR') {
      report(error, method);
      // An unexpected failure's message may name files or SQL; the client gets the code only.
      e = new OrchestrationError('INTERNAL_ERROR', 'Internal error; the server has logged it.');
    }
    send({ type: 'response', id, error: e.toJSON() });
  };
  /** A call that failed or was refused: audited if it mutates or is a refusal, then answered. */
  const failed = (id: RequestId, method: MethodName, mutating: boolean, error: unknown) => {
    inFlight--;
    if (audit) {
      const e = toOrchestrationError(error);
      if (mutating || REFUSALS.has(e.code)) {
        const retry = e.details.retryAfterMs;
        audit(method, e.code, retry === undefined ? null : `retryAfterMs=${String(retry)}`);
      }
    }
    fail(id, error, method);
  };

  const pump = new EventPump(engine.stream, send, (e) => report(e, 'events'), options.events);

  // Not async: the checks run synchronously and the handler's promise is answered with one
  // then(), which spares every call an async function's extra promise and microtask hops.
  function call(frame: RequestFrame): void {
    const { id, method } = frame;
    if (!isMethodName(method)) {
      return fail(
        id,
        new ValidationError('INVALID_INPUT', `Unknown method "${method}".`, 'method', method),
      );
    }
    if (inFlight >= maxInFlight) {
      audit?.(method, 'RATE_LIMITED', `maxInFlight=${maxInFlight}`);
      return fail(
        id,
        new OrchestrationError(
          'RATE_LIMITED',
          `More than ${maxInFlight} calls in flight on this connection.`,
          {
            details: { retryAfterMs: 100 },
          },
        ),
      );
    }
    inFlight++;
    const spec = contract[method];
    const mutating = spec.permission !== 'read';
    let pending: Promise<unknown>;
    try {
      if (options.expiresAt != null && Date.now() >= options.expiresAt) {
        throw new AuthenticationError('INVALID_TOKEN', `The token ${who.tokenId} has expired.`, {
          details: { tokenId: who.tokenId, reason: 'expired' },
        });
      }
      assertAllowed(ctx.role, spec.permission, method);
      // Before validation and any effect: a refused call changes nothing and costs nothing.
      limiter?.consume(who.tokenId, bucketOf(method), costOf(method, frame.params));
      const params = guardParams(method, checkParams(method, frame.params), security);
      const handler = handlers![method] as (p: unknown, c: typeof ctx) => Promise<unknown>;
      pending = Promise.resolve(handler(params, ctx));
    } catch (error) {
      return failed(id, method, mutating, error);
    }
    pending.then(
      (result) => {
        inFlight--;
        if (mutating) audit?.(method, 'ok');
        send({ type: 'response', id, result: result === undefined ? null : result });
      },
      (error: unknown) => failed(id, method, mutating, error),
    );
  }

  transport.onFrame((raw) => {
    if (!open) return;
    const decoded = decodeClientFrame(raw);
    if (!decoded.ok) return fail(decoded.id, decoded.error);
    const frame = decoded.frame;
    if (frame.type === 'request') return call(frame);
    if (frame.type === 'subscribe') void pump.start(frame.sinceSeq, frame.digest);
    else pump.stop();
  });

  const close = () => {
    if (!open) return;
    open = false;
    pump.stop();
  };
  transport.onClose(close);
  return { close };
}

/**
 * Params against the method's schema. Messages are checked first as the bus checks them (same
 * codes and words: a bad type or content is INVALID_MESSAGE), so a refusal is the same for an
 * embedded client, the SDK and a raw WebSocket client.
 */
function checkParams(method: MethodName, params: unknown): unknown {
  const codes = { codes: PUBLISH_CODES };
  // The hot path: bus.publish validates its input itself, with this schema and these codes, so
  // a second parse here would only double the cost of every message.
  if (method === 'bus.publish') return params;
  const messages = (params as { messages?: unknown } | null)?.messages;
  if (method === 'bus.publishBatch' && Array.isArray(messages) && messages.length <= 1_000) {
    messages.forEach((m, i) => validate(publishSchema, m, `message [${i}]`, codes));
  }
  return validate(contract[method].input, params, `params for ${method}`);
}

function defaultReport(error: unknown, method: string | undefined): void {
  console.error(`[rpc] ${method ?? 'frame'} failed:`, error);
}
