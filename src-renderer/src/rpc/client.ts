/**
 * The typed client over any ClientTransport. Method names, params and results all come from
 * src-shared/contract.ts: `client.call('sessions.list', {})` or `client.sessions.list({})`.
 * Events are resumable: after a reconnect the client re-subscribes from the last sequence
 * number it saw, and drops anything it already has.
 */
import {
  METHOD_NAMES,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '../../../src-shared/contract';
import {
  OrchestrationError,
  fromSerializedError,
  type SerializedError,
} from '../../../src-shared/errors';
import {
  decodeServerFrame,
  type ClientFrame,
  type ClientTransport,
  type EventsFrame,
} from '../../../src-shared/protocol';
import type { StreamEvent, TrafficDigest } from '../../../src-shared/stream';

export type ParamsArgs<M extends MethodName> =
  undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>];

type Namespace<M extends MethodName> = M extends `${infer N}.${string}` ? N : never;
type MethodsOf<N extends string> = {
  [M in MethodName as M extends `${N}.${infer F}` ? F : never]: (
    ...args: ParamsArgs<M>
  ) => Promise<ResultOf<M>>;
};
export type Namespaces = { [N in Namespace<MethodName>]: MethodsOf<N> };

export type ConnectionStatus = 'connecting' | 'open' | 'closed';
/** `traffic`: digest subscriptions only, the message traffic the frame covers. */
export type EventsListener = (
  events: StreamEvent[],
  lastSeq: number,
  traffic?: TrafficDigest,
) => void;

export interface ClientOptions {
  /** Replay events after this sequence number on the first subscribe; omitted = from now. */
  sinceSeq?: number;
  /** Subscribe as a viewer: message traffic folded into a digest per frame (see stream.ts). */
  digest?: boolean;
}

export interface RpcClient {
  call<M extends MethodName>(method: M, ...args: ParamsArgs<M>): Promise<ResultOf<M>>;
  /** Subscribes to the event stream on first use; returns the unsubscribe function. */
  onEvents(listener: EventsListener): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  readonly status: ConnectionStatus;
  /** The sequence number of the newest event received, if any. */
  readonly lastSeq: number | undefined;
  close(): void;
}
export type Client = RpcClient & Namespaces;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const MAX_QUEUED = 1_000;

export function createClient(transport: ClientTransport, options: ClientOptions = {}): Client {
  let status: ConnectionStatus = 'connecting';
  let lastSeq: number | undefined = options.sinceSeq;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();
  const queued: ClientFrame[] = [];
  const eventListeners = new Set<EventsListener>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();

  const setStatus = (next: ConnectionStatus) => {
    if (status === next) return;
    status = next;
    for (const l of statusListeners) l(next);
  };
  const subscribeFrame = (): ClientFrame => ({
    type: 'subscribe',
    ...(lastSeq === undefined ? {} : { sinceSeq: lastSeq }),
    ...(options.digest ? { digest: true } : {}),
  });

  const send = (frame: ClientFrame) => {
    if (status === 'open') transport.send(frame);
    else if (queued.length < MAX_QUEUED) queued.push(frame);
    else throw unavailable('Too many calls are waiting for the connection.');
  };

  const deliver = (frame: EventsFrame) => {
    const fresh =
      lastSeq === undefined ? frame.events : frame.events.filter((e) => e.seq > lastSeq!);
    // A digest covers the frame's whole seq range: new only when the frame moves lastSeq on.
    const traffic =
      frame.traffic && (lastSeq === undefined || frame.lastSeq > lastSeq)
        ? frame.traffic
        : undefined;
    lastSeq = Math.max(lastSeq ?? 0, frame.lastSeq);
    if (fresh.length === 0 && !traffic && (frame.events.length > 0 || frame.traffic)) return;
    for (const l of eventListeners) l(fresh, lastSeq, traffic);
  };

  transport.onFrame((raw) => {
    const frame = decodeServerFrame(raw);
    if (!frame) return; // a garbled frame from the server is dropped, never thrown into the app
    if (frame.type === 'events') return deliver(frame);
    if (frame.id === null || typeof frame.id !== 'number') {
      // An error not tied to a call (auth refused, bad frame): fail everything in flight.
      if ('error' in frame) failAll(fromSerializedError(frame.error));
      return;
    }
    const call = pending.get(frame.id);
    if (!call) return;
    pending.delete(frame.id);
    if ('error' in frame && frame.error)
      call.reject(fromSerializedError(frame.error as SerializedError));
    else call.resolve((frame as { result?: unknown }).result ?? null);
  });

  transport.onOpen(() => {
    if (closed) return;
    setStatus('open');
    if (eventListeners.size > 0) transport.send(subscribeFrame());
    for (const frame of queued.splice(0)) transport.send(frame);
  });

  transport.onClose(() => {
    setStatus(closed ? 'closed' : 'connecting');
    // Calls already sent may or may not have run; only the caller can decide to retry them.
    failAll(unavailable('The connection to the engine was lost.'));
  });

  function failAll(error: OrchestrationError) {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  }

  const client: RpcClient = {
    call(method, ...args) {
      if (closed) return Promise.reject(unavailable('The client is closed.'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        try {
          send({ type: 'request', id, method, params: args[0] });
        } catch (error) {
          pending.delete(id);
          reject(error as Error);
        }
      });
    },
    onEvents(listener) {
      const first = eventListeners.size === 0;
      eventListeners.add(listener);
      if (first && status === 'open') transport.send(subscribeFrame());
      return () => {
        eventListeners.delete(listener);
        if (eventListeners.size === 0 && status === 'open') transport.send({ type: 'unsubscribe' });
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    get status() {
      return status;
    },
    get lastSeq() {
      return lastSeq;
    },
    close() {
      if (closed) return;
      closed = true;
      failAll(unavailable('The client is closed.'));
      transport.close();
      setStatus('closed');
    },
  };

  return Object.assign(client, buildNamespaces(client)) as Client;
}

function buildNamespaces(client: RpcClient): Namespaces {
  const out: Record<string, Record<string, (params?: unknown) => Promise<unknown>>> = {};
  for (const method of METHOD_NAMES) {
    const dot = method.indexOf('.');
    const ns = method.slice(0, dot);
    const fn = method.slice(dot + 1);
    out[ns] ??= {};
    out[ns][fn] = (params?: unknown) =>
      (client.call as (m: MethodName, p?: unknown) => Promise<unknown>)(method, params);
  }
  return out as unknown as Namespaces;
}

function unavailable(message: string): OrchestrationError {
  return new OrchestrationError('SERVICE_UNAVAILABLE', message);
}
