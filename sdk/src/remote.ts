/**
 * Remote mode: every call goes through the contract (src-shared/contract.ts) over one WebSocket
 * to a running app or `orchestration serve`, with the renderer's typed client and transport.
 * Failures come back as OrchestrationError subclasses with the server's code, the same code the
 * embedded engine gives for the same input.
 */
import WebSocket from 'ws';
import { newId } from '../../src-main/engine/ids';
import type { MethodName, ParamsOf, ResultOf } from '../../src-shared/contract';
import {
  AuthenticationError,
  AuthorizationError,
  DatabaseError,
  MessageBusError,
  OrchestrationError,
  ValidationError,
  WorkerError,
  type ErrorCode,
} from '../../src-shared/errors';
import {
  PUBLISH_CODES,
  publishSchema,
  subscriptionFilterSchema,
  type PublishInput,
  type SubscriptionFilter,
} from '../../src-shared/schemas';
import type { StreamEvent, StreamMessageSummary } from '../../src-shared/stream';
import type { Message } from '../../src-shared/types';
import { validate } from '../../src-shared/validate';
import { createClient, type Client } from '../../src-renderer/src/rpc/client';
import {
  createWebSocketTransport,
  type WebSocketConstructor,
} from '../../src-renderer/src/rpc/ws-transport';
import type { Backend, EngineInfo, MessageHandler, SubscribeOptions } from './api';
import type { RemoteOptions } from './options';
import { retryDelay, retryPolicy } from './retry';
import { replayThenLive } from './stream';

type Call = <M extends MethodName>(method: M, params?: ParamsOf<M>) => Promise<ResultOf<M>>;
type Live = (listener: (events: StreamEvent[]) => void) => () => void;

/** `http://host:port/?token=…` (what the server prints) or `ws://host:port/ws` → the socket URL and token. */
export function resolveRemote(options: RemoteOptions): { url: string; token: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new ValidationError('INVALID_FORMAT', `url "${options.url}" is not a URL.`, 'url');
  }
  const schemes: Record<string, string> = {
    'http:': 'ws:',
    'https:': 'wss:',
    'ws:': 'ws:',
    'wss:': 'wss:',
  };
  const scheme = schemes[parsed.protocol];
  if (!scheme) {
    throw new ValidationError(
      'INVALID_FORMAT',
      `url must be http(s):// or ws(s)://, not ${parsed.protocol}`,
      'url',
    );
  }
  const token = options.token ?? parsed.searchParams.get('token') ?? undefined;
  parsed.searchParams.delete('token');
  parsed.protocol = scheme;
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/ws';
  return { url: parsed.toString(), token };
}

/** Rebuilds the subclass a code belongs to, so `instanceof ValidationError` holds in both modes. */
function rebuild(error: unknown): unknown {
  if (!(error instanceof OrchestrationError)) return error;
  const o = { severity: error.severity, recoverable: error.recoverable, details: error.details };
  const code: ErrorCode = error.code;
  switch (code) {
    case 'INVALID_INPUT':
    case 'MISSING_FIELD':
    case 'INVALID_FORMAT':
    case 'INVALID_MESSAGE':
      return new ValidationError(
        code,
        error.message,
        error.details.field as string | undefined,
        error.details.value,
        o,
      );
    case 'AUTH_REQUIRED':
    case 'INVALID_TOKEN':
      return new AuthenticationError(code, error.message, o);
    case 'FORBIDDEN':
      return new AuthorizationError(error.message, o);
    case 'DB_CONNECTION_FAILED':
    case 'QUERY_FAILED':
    case 'DUPLICATE_ENTRY':
      return new DatabaseError(code, error.message, o);
    case 'QUEUE_FULL':
    case 'MESSAGE_TIMEOUT':
    case 'RATE_LIMITED':
      return new MessageBusError(code, error.message, o);
    case 'WORKER_UNAVAILABLE':
    case 'WORKER_HEALTH_FAILED':
      return new WorkerError(code, error.message, o);
    default:
      return error;
  }
}

function requireId(id: unknown, field = 'id'): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('MISSING_FIELD', `An ${field} is required.`, field, id);
  }
  return id;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** The bus's own publish check, for request(), which must not wait on a message never sent. */
function checkPublish(input: PublishInput): void {
  validate(publishSchema, input, 'message', { codes: PUBLISH_CODES });
}

export function createRemoteBackend(options: RemoteOptions): Backend {
  const { url, token } = resolveRemote(options);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  // The token travels in a header, not in the URL (which proxies and logs keep).
  class AuthedWebSocket extends WebSocket {
    constructor(address: string) {
      super(address, { headers });
    }
  }
  const rpc: Client = createClient(
    createWebSocketTransport(url, {
      WebSocketImpl: AuthedWebSocket as unknown as WebSocketConstructor,
      reconnect: options.reconnect ?? true,
    }),
  );
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  let handshake: Promise<EngineInfo> | undefined;
  /** An auth refusal: the transport never retries it, so every later call fails the same way. */
  let refused: OrchestrationError | undefined;
  let closed = false;

  const connect = (): Promise<EngineInfo> =>
    (handshake ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new OrchestrationError(
                'SERVICE_UNAVAILABLE',
                `Could not reach the engine at ${url} within ${connectTimeoutMs} ms.`,
                { details: { url, connectTimeoutMs } },
              ),
            ),
          connectTimeoutMs,
        );
      });
      try {
        return await Promise.race([rpc.call('engine.info'), timeout]);
      } catch (error) {
        const e = rebuild(error);
        if (e instanceof AuthenticationError) refused = e;
        else handshake = undefined; // unreachable for now: the next call tries again
        throw e;
      } finally {
        clearTimeout(timer);
      }
    })());

  const retry = retryPolicy(options.retryOnRateLimit);
  const call: Call = async (method, params) => {
    if (refused) throw refused;
    await connect();
    for (let attempt = 0; ; attempt++) {
      try {
        return await (rpc.call as (m: MethodName, p?: unknown) => Promise<never>)(method, params);
      } catch (error) {
        const e = rebuild(error);
        const wait = retryDelay(e, attempt, retry);
        if (wait === undefined || closed) throw e;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };

  // One server-side subscription for the client's life, fanned out to local listeners (dropping
  // it and subscribing again would replay what came in between).
  const listeners = new Set<(events: StreamEvent[]) => void>();
  let streaming = false;
  const live: Live = (listener) => {
    listeners.add(listener);
    if (!streaming) {
      streaming = true;
      rpc.onEvents((events) => {
        for (const l of [...listeners]) l(events);
      });
    }
    return () => void listeners.delete(listener);
  };

  const sessionsGet = async (id: string) =>
    orUndefined(await call('sessions.get', { id: requireId(id) }));
  /** Both names of each session listed (id and name), so a filter matches however mail was addressed. */
  const withAliases = async (list: readonly string[] | undefined) => {
    if (!list) return undefined;
    const out = new Set(list);
    for (const key of list) {
      const session = await sessionsGet(key).catch(() => undefined);
      if (session) out.add(session.id).add(session.name);
    }
    return out;
  };

  // The server checks messages with the bus's codes (src-main/rpc/serve.ts), as embedded does.
  const publish = (input: PublishInput) => call('bus.publish', input);

  function subscribe(
    filter: SubscriptionFilter | undefined,
    handler: MessageHandler,
    subscribeOptions: SubscribeOptions = {},
  ): () => void {
    const parsed = validate(subscriptionFilterSchema, filter, 'subscription filter');
    if (typeof handler !== 'function') {
      throw new ValidationError('INVALID_INPUT', 'subscribe needs a handler function.', 'handler');
    }
    const concurrency = Math.max(1, subscribeOptions.concurrency ?? 1);
    const onError =
      subscribeOptions.onError ??
      ((error: unknown, message: Message) =>
        console.error(`orchestration: a subscriber failed on message ${message.id}`, error));
    const types = parsed?.types && new Set<string>(parsed.types);
    const priorities = parsed?.priorities && new Set<number>(parsed.priorities);
    const tags = parsed?.tags && new Set(parsed.tags);
    let senders: Set<string> | undefined;
    let receivers: Set<string> | undefined;
    const addressed = (m: Pick<Message, 'sender' | 'receiver' | 'receiverId'>) =>
      (!senders || senders.has(m.sender)) &&
      (!receivers ||
        m.receiver === null ||
        receivers.has(m.receiver) ||
        (m.receiverId !== null && receivers.has(m.receiverId)));
    const summaryMatches = (m: StreamMessageSummary) =>
      (!types || types.has(m.type)) && (!priorities || priorities.has(m.priority)) && addressed(m);
    const matches = (m: Message) =>
      (!types || types.has(m.type)) &&
      (!priorities || priorities.has(m.priority)) &&
      addressed(m) &&
      (!tags || (m.metadata.tags ?? []).some((t) => tags.has(t)));

    let active = true;
    let ready = false;
    const held: StreamMessageSummary[] = [];
    const queue: string[] = [];
    const seen = new Set<string>();
    let running = 0;

    const pump = () => {
      while (active && running < concurrency && queue.length > 0) {
        const id = queue.shift()!;
        running++;
        void (async () => {
          let message: Message | undefined;
          try {
            message = orUndefined(await call('bus.get', { id }));
            if (active && message && matches(message)) await handler(message);
          } catch (error) {
            if (message) onError(error, message);
            else if (active) console.error('orchestration: reading a message failed', error);
          } finally {
            running--;
            pump();
          }
        })();
      }
    };
    const enqueue = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      if (seen.size > 100_000) seen.delete(seen.values().next().value!);
      queue.push(id);
      pump();
    };
    const onSummary = (m: StreamMessageSummary) => {
      if (!ready) held.push(m);
      else if (summaryMatches(m)) enqueue(m.id);
    };
    const off = live((events) => {
      for (const e of events) if (e.kind === 'message.published') onSummary(e.message);
    });

    void (async () => {
      senders = await withAliases(parsed?.senders);
      receivers = await withAliases(parsed?.receivers);
      // What already waits, oldest first, then what is published from now on.
      const boxes = receivers ? [...new Set(parsed!.receivers)] : [undefined];
      for (const receiver of boxes) {
        const pending = await call('bus.list', {
          state: 'pending',
          limit: 1_000,
          ...(receiver !== undefined && { receiver }),
        });
        for (const m of pending) if (active && matches(m)) enqueue(m.id);
      }
      ready = true;
      for (const m of held.splice(0)) onSummary(m);
    })().catch((error: unknown) => {
      if (active) console.error('orchestration: subscribe failed', error);
    });

    return () => {
      active = false;
      off();
    };
  }

  async function request(input: PublishInput, timeoutMs = 30_000): Promise<Message> {
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new ValidationError(
        'INVALID_INPUT',
        'timeoutMs must be a positive whole number.',
        'timeoutMs',
        timeoutMs,
      );
    }
    checkPublish(input);
    // Time-ordered like the engine's own: it lands at the id index's right-hand edge.
    const id = input.id || newId();
    const mine = (await withAliases([input.sender]))!;
    let timer: NodeJS.Timeout | undefined;
    let off: (() => void) | undefined;
    const response = new Promise<Message>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new MessageBusError(
              'MESSAGE_TIMEOUT',
              `No response to ${input.type} ${id} from ${input.receiver ?? 'any subscriber'} within ${timeoutMs} ms.`,
              { details: { messageId: id, timeoutMs } },
            ),
          ),
        timeoutMs,
      );
      off = live((events) => {
        for (const e of events) {
          if (e.kind !== 'message.published') continue;
          const { receiver, receiverId } = e.message;
          if (!(receiver && mine.has(receiver)) && !(receiverId && mine.has(receiverId))) continue;
          void call('bus.get', { id: e.message.id })
            .then((m) => {
              if (m && m.metadata.correlationId === id) resolve(m);
            })
            .catch(() => undefined);
        }
      });
    });
    response.catch(() => undefined);
    try {
      await publish({
        ...input,
        id,
        requiresResponse: true,
        responseDeadline: Date.now() + timeoutMs,
      });
      return await response;
    } finally {
      clearTimeout(timer);
      off?.();
    }
  }

  const since = (seq: number, limit?: number) =>
    call('events.since', { seq, ...(limit !== undefined && { limit }) });

  return {
    mode: 'remote',
    sessions: {
      create: (input) => call('sessions.create', input),
      get: sessionsGet,
      list: (query) => call('sessions.list', query),
      update: (id, changes) => call('sessions.update', { id: requireId(id), changes }),
      setStatus: (id, status, reason) =>
        call('sessions.update', {
          id: requireId(id),
          changes: reason === undefined ? { status } : { status, reason },
        }),
      terminate: (id, reason = 'terminated by request') =>
        call('sessions.terminate', { id: requireId(id), reason }),
      heartbeat: (id) => call('sessions.heartbeat', { id: requireId(id) }),
      history: (id) => call('sessions.history', { id: requireId(id) }),
    },
    messageBus: {
      publish,
      publishBatch: async (inputs) => {
        if (!Array.isArray(inputs) || inputs.length === 0) {
          throw new ValidationError(
            'INVALID_INPUT',
            'publishBatch needs a non-empty array of messages.',
            'messages',
            inputs,
          );
        }
        return call('bus.publishBatch', { messages: [...inputs] });
      },
      request,
      respond: (req, input) =>
        publish({
          ...input,
          receiver: req.sender,
          metadata: { ...input.metadata, correlationId: req.id },
        }),
      subscribe,
      acknowledge: async (id) =>
        (await call('bus.acknowledge', { id: requireId(id) })).acknowledged,
      reject: async (id, reason) => {
        if (typeof reason !== 'string' || reason.length === 0) {
          throw new ValidationError('MISSING_FIELD', 'reject needs a reason.', 'reason', reason);
        }
        await call('bus.reject', { id: requireId(id), reason });
      },
      deadLetters: (limit) => call('bus.deadLetters', limit === undefined ? {} : { limit }),
      requeue: async (id) => {
        await call('bus.requeue', { id: requireId(id) });
      },
      get: async (id) => orUndefined(await call('bus.get', { id: requireId(id) })),
      list: (query) => call('bus.list', query),
      mailbox: (receiver, limit) =>
        call('bus.mailbox', { receiver, ...(limit !== undefined && { limit }) }),
      stats: () => call('bus.stats'),
      health: () => call('bus.health'),
    },
    workflows: {
      list: (query) => call('workflows.list', query),
      get: async (id) => orUndefined(await call('workflows.get', { id: requireId(id) })),
      create: (definition) => call('workflows.create', { definition }),
      update: (id, definition, expectedRevision) =>
        call('workflows.update', {
          id: requireId(id),
          definition,
          ...(expectedRevision !== undefined && { expectedRevision }),
        }),
      delete: async (id) => (await call('workflows.delete', { id: requireId(id) })).deleted,
      importFile: (text, importOptions = {}) =>
        call('workflows.importFile', { text, ...importOptions }),
      exportFile: (id) => call('workflows.exportFile', { id: requireId(id) }),
      validateFile: (text) => call('workflows.validateFile', { text }),
      trust: (id, contentHash) => call('workflows.trust', { id: requireId(id), contentHash }),
    },
    runs: {
      start: (workflowId, input) =>
        call('runs.start', {
          workflowId: requireId(workflowId, 'workflowId'),
          ...(input !== undefined && { input }),
        }),
      get: async (id) => orUndefined(await call('runs.get', { id: requireId(id) })),
      list: (query) => call('runs.list', query),
      cancel: (id, reason) =>
        call('runs.cancel', { id: requireId(id), ...(reason !== undefined && { reason }) }),
      resume: (id) => call('runs.resume', { id: requireId(id) }),
      delete: async (id) => (await call('runs.delete', { id: requireId(id) })).deleted,
      wait: (id, timeoutMs) =>
        call('runs.wait', { id: requireId(id), ...(timeoutMs !== undefined && { timeoutMs }) }),
      waiting: (runId) => call('runs.waiting', runId === undefined ? {} : { runId }),
      answer: async (messageId, content) => {
        await call('runs.answer', { messageId: requireId(messageId, 'messageId'), content });
      },
    },
    checkpoints: {
      create: (input) => call('checkpoints.create', input),
      list: (query) => call('checkpoints.list', query),
      get: async (id) => orUndefined(await call('checkpoints.get', { id: requireId(id) })),
      restore: (id, restoreOptions = {}) =>
        call('checkpoints.restore', { id: requireId(id), ...restoreOptions }),
      compare: (a, b, limit) =>
        call('checkpoints.compare', {
          from: requireId(a),
          to: requireId(b),
          ...(limit !== undefined && { limit }),
        }),
      delete: async (id) => (await call('checkpoints.delete', { id: requireId(id) })).deleted,
    },
    permissions: {
      list: (runId) => call('permissions.list', runId === undefined ? {} : { runId }),
      answer: async (requestId, answer) => {
        await call('permissions.answer', {
          requestId: requireId(requestId, 'requestId'),
          ...answer,
        });
      },
    },
    events: {
      since,
      subscribe: async (listener, subscribeOptions) => {
        if (refused) throw refused;
        await connect();
        return replayThenLive(live, since, subscribeOptions?.sinceSeq, listener);
      },
    },
    info: () => call('engine.info'),
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      rpc.close();
    },
  };
}
