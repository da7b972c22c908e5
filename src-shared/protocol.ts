/**
 * Wire frames shared by every transport (Electron IPC, WebSocket, in-memory). Frames are plain
 * JSON objects; over text transports they travel as one JSON string each. Every incoming frame
 * is checked for size, nesting depth and prototype-polluting keys before zod sees it.
 */
import { z } from 'zod';
import type { OrchestrationError } from './errors';
import { ERROR_CODES, ValidationError, type SerializedError } from './errors';
import type { StreamEvent, TrafficDigest } from './stream';

/** Larger than the bus's 1 MiB content limit plus envelope; workflow definitions fit too. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
export const MAX_FRAME_DEPTH = 64;
/** The most events the server puts in one frame; a longer backlog goes out as several frames. */
export const MAX_EVENTS_PER_FRAME = 1_000;
/** WebSocket close code for "policy violation" (bad token, wrong origin). */
export const WS_POLICY_CLOSE = 1008;

const requestId = z.union([z.number().int().min(0), z.string().min(1).max(100)]);
export type RequestId = z.infer<typeof requestId>;

export const requestFrameSchema = z.strictObject({
  type: z.literal('request'),
  id: requestId,
  method: z.string().min(1).max(100),
  params: z.unknown().optional(),
});
/**
 * Asks for events after `sinceSeq` (omit it to start from now), then live ones. `digest`: a
 * viewer's subscription — message traffic arrives folded into a TrafficDigest per frame.
 */
export const subscribeFrameSchema = z.strictObject({
  type: z.literal('subscribe'),
  sinceSeq: z.number().int().min(0).optional(),
  digest: z.boolean().optional(),
});
export const unsubscribeFrameSchema = z.strictObject({ type: z.literal('unsubscribe') });

export const clientFrameSchema = z.discriminatedUnion('type', [
  requestFrameSchema,
  subscribeFrameSchema,
  unsubscribeFrameSchema,
]);
export type RequestFrame = z.infer<typeof requestFrameSchema>;
export type SubscribeFrame = z.infer<typeof subscribeFrameSchema>;
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const serializedErrorSchema = z.looseObject({
  name: z.string(),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  recoverable: z.boolean(),
  details: z.record(z.string(), z.unknown()),
});

/** `id` is null when the failing frame had no readable id (not JSON, too big, …). */
export type ResponseFrame =
  | { type: 'response'; id: RequestId | null; result: unknown }
  | { type: 'response'; id: RequestId | null; error: SerializedError };
export interface EventsFrame {
  type: 'events';
  events: StreamEvent[];
  /** The sequence number the receiver is now at; resume from here after a reconnect. */
  lastSeq: number;
  /** Digest subscriptions: the message traffic among the events this frame covers. */
  traffic?: TrafficDigest;
}
export type ServerFrame = ResponseFrame | EventsFrame;

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('response'),
    id: requestId.nullable(),
    result: z.unknown().optional(),
    error: serializedErrorSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('events'),
    events: z.array(z.looseObject({ seq: z.number(), kind: z.string() })),
    lastSeq: z.number(),
    traffic: z.looseObject({ published: z.number() }).optional(),
  }),
]);

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Walks parsed JSON without recursion; throws on excessive depth or prototype-polluting keys. */
export function checkJsonShape(value: unknown, maxDepth = MAX_FRAME_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) {
      throw new ValidationError(
        'INVALID_FORMAT',
        `Frame is nested deeper than ${maxDepth} levels.`,
        undefined,
        undefined,
        { details: { maxDepth } },
      );
    }
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ValidationError('INVALID_INPUT', `Key "${key}" is not allowed.`, key);
      }
      stack.push([(node as Record<string, unknown>)[key], depth + 1]);
    }
  }
}

function tooBig(size: number): OrchestrationError {
  return new ValidationError(
    'INVALID_FORMAT',
    `Frame is ${size} bytes; the limit is ${MAX_FRAME_BYTES}.`,
    undefined,
    undefined,
    { details: { size, limit: MAX_FRAME_BYTES } },
  );
}

/** JSON text → value; structured (IPC) input passes through. Throws INVALID_FORMAT. */
function parseJson(raw: unknown): unknown {
  if (typeof raw === 'string') {
    // Characters, not bytes: transports that see bytes (ws maxPayload) enforce the byte limit.
    if (raw.length > MAX_FRAME_BYTES) throw tooBig(raw.length);
    try {
      return JSON.parse(raw);
    } catch {
      throw new ValidationError('INVALID_FORMAT', 'Frame is not valid JSON.');
    }
  }
  if (raw instanceof Uint8Array || raw instanceof ArrayBuffer) {
    throw new ValidationError('INVALID_FORMAT', 'Binary frames are not accepted; send JSON text.');
  }
  return raw;
}

function checkFrame(value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('INVALID_FORMAT', 'A frame must be a JSON object.');
  }
  checkJsonShape(value);
}

/**
 * Turns what a transport received (a JSON string, or an already-structured object from IPC)
 * into checked JSON. Throws INVALID_FORMAT for non-JSON, oversized or too-deep input.
 */
export function parseRawFrame(raw: unknown): unknown {
  const value = parseJson(raw);
  checkFrame(value);
  return value;
}

/** The request id of a frame, if it has a readable one (so even a bad frame's caller hears back). */
function idOf(value: unknown): RequestId | null {
  if (value === null || typeof value !== 'object') return null;
  const id = (value as { id?: unknown }).id;
  return requestId.safeParse(id).success ? (id as RequestId) : null;
}

export type DecodedClientFrame =
  { ok: true; frame: ClientFrame } | { ok: false; id: RequestId | null; error: OrchestrationError };

/**
 * The frame every call arrives in, checked by hand: only frames that requestFrameSchema accepts
 * as they are pass; anything else goes on to zod (which also words the refusal). Saves zod's
 * cost on the hot path.
 */
function plainRequest(value: object): RequestFrame | undefined {
  const v = value as Record<string, unknown>;
  if (v.type !== 'request') return undefined;
  for (const key of Object.keys(v)) {
    if (key !== 'type' && key !== 'id' && key !== 'method' && key !== 'params') return undefined;
  }
  const { id, method } = v;
  const idOk =
    typeof id === 'number'
      ? Number.isSafeInteger(id) && id >= 0
      : typeof id === 'string' && id.length >= 1 && id.length <= 100;
  if (!idOk || typeof method !== 'string' || method.length < 1 || method.length > 100) {
    return undefined;
  }
  return v as RequestFrame;
}

/** Decodes and validates one client frame; never throws. */
export function decodeClientFrame(raw: unknown): DecodedClientFrame {
  let value: unknown;
  try {
    value = parseJson(raw);
    checkFrame(value);
  } catch (error) {
    return { ok: false, id: idOf(value), error: error as OrchestrationError };
  }
  const fast = plainRequest(value as object);
  if (fast) return { ok: true, frame: fast };
  const parsed = clientFrameSchema.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const id = idOf(value);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? ` (${issue.path.join('.')})` : '';
  return {
    ok: false,
    id,
    error: new ValidationError(
      'INVALID_FORMAT',
      `Malformed frame${where}: ${issue?.message ?? 'unknown shape'}.`,
      issue?.path.join('.') || undefined,
      undefined,
      { details: { issues: parsed.error.issues.map((i) => i.message) } },
    ),
  };
}

/**
 * Decodes a server frame on the client; null for anything that is not a valid frame. No size or
 * key checks: the server is the trusted side, and results may legitimately be large.
 */
export function decodeServerFrame(raw: unknown): ServerFrame | null {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  // Events frames are the hot path (one per tick at thousands of events/s): a shape check only.
  const v = value as { type?: unknown; events?: unknown; lastSeq?: unknown } | null;
  if (v && v.type === 'events') {
    return Array.isArray(v.events) && typeof v.lastSeq === 'number' ? (value as EventsFrame) : null;
  }
  return serverFrameSchema.safeParse(value).success ? (value as ServerFrame) : null;
}

export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/**
 * The transport seam (after VS Code's IPC channel): anything that moves frames both ways.
 * Received frames are raw (a string or a structured-cloned object); the receiver decodes them.
 */
export interface Transport<Out> {
  send(frame: Out): void;
  onFrame(listener: (raw: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}
export type ServerTransport = Transport<ServerFrame>;
export type ClientTransport = Transport<ClientFrame> & {
  /**
   * Called each time the transport (re)opens; reconnecting transports call it again. A listener
   * added while the transport is already open is called soon after (in a microtask).
   */
  onOpen(listener: () => void): void;
};
