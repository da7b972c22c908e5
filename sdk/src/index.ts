/**
 * @claudesclaude/orchestration-sdk — the OrchestrationClient.
 * Every method returns a promise and fails with an OrchestrationError (a stable `code`).
 */
import { createEngine, type Engine, type EngineEvents } from '../../src-main/engine';
import type { MessageHandler, SubscribeOptions } from '../../src-main/engine/bus';
import { ValidationError } from '../../src-shared/errors';
import type { OrchestrationClientOptions } from './options';

export * from '../../src-shared/errors';
export {
  API_VERSION,
  MESSAGE_TYPES,
  PRIORITIES,
  SESSION_STATUSES,
  SESSION_TYPES,
} from '../../src-shared/domain';
export type { MessageType, SessionStatus, SessionType } from '../../src-shared/domain';
export type {
  PublishInput,
  SessionCreateInput,
  SessionUpdateInput,
  SubscriptionFilter,
} from '../../src-shared/schemas';
export type {
  BusHealth,
  BusStats,
  Message,
  Session,
  SessionHistoryEntry,
} from '../../src-shared/types';
export type { OrchestrationClientOptions, MessageHandler, SubscribeOptions, EngineEvents };

type Sessions = Engine['sessions'];
type Bus = Engine['bus'];

export class OrchestrationClient {
  readonly sessions: Pick<
    Sessions,
    'create' | 'get' | 'list' | 'update' | 'setStatus' | 'terminate' | 'heartbeat' | 'history'
  >;
  readonly messageBus: Pick<
    Bus,
    | 'publish'
    | 'publishBatch'
    | 'request'
    | 'respond'
    | 'subscribe'
    | 'acknowledge'
    | 'reject'
    | 'deadLetters'
    | 'requeue'
    | 'get'
    | 'list'
    | 'mailbox'
    | 'stats'
    | 'health'
  >;
  private readonly engine: Promise<Engine>;
  private closed = false;

  constructor(options: OrchestrationClientOptions) {
    if (!options || typeof options !== 'object' || typeof options.databasePath !== 'string') {
      throw new ValidationError(
        'MISSING_FIELD',
        'OrchestrationClient needs { databasePath } (the SQLite file the embedded engine uses).',
        'databasePath',
        options?.databasePath,
      );
    }
    this.engine = createEngine(options);
    // A failed open surfaces on the first call; don't let it become an unhandled rejection first.
    this.engine.catch(() => undefined);
    const on = <K extends keyof Sessions>(k: K) =>
      (async (...args: unknown[]) => {
        const engine = await this.open();
        return (engine.sessions[k] as (...a: unknown[]) => unknown).apply(engine.sessions, args);
      }) as Sessions[K];
    const bus = <K extends keyof Bus>(k: K) =>
      (async (...args: unknown[]) => {
        const engine = await this.open();
        return (engine.bus[k] as (...a: unknown[]) => unknown).apply(engine.bus, args);
      }) as Bus[K];
    this.sessions = {
      create: on('create'),
      get: on('get'),
      list: on('list'),
      update: on('update'),
      setStatus: on('setStatus'),
      terminate: on('terminate'),
      heartbeat: on('heartbeat'),
      history: on('history'),
    };
    this.messageBus = {
      publish: bus('publish'),
      publishBatch: bus('publishBatch'),
      request: bus('request'),
      respond: bus('respond'),
      acknowledge: bus('acknowledge'),
      reject: bus('reject'),
      deadLetters: bus('deadLetters'),
      requeue: bus('requeue'),
      get: bus('get'),
      list: bus('list'),
      mailbox: bus('mailbox'),
      stats: bus('stats'),
      health: bus('health'),
      subscribe: (filter, handler: MessageHandler, options?: SubscribeOptions) => {
        let unsubscribe: (() => void) | undefined;
        let cancelled = false;
        void this.open().then((engine) => {
          if (!cancelled) unsubscribe = engine.bus.subscribe(filter, handler, options);
        });
        return () => {
          cancelled = true;
          unsubscribe?.();
        };
      },
    };
  }

  /** The engine's API version (semver). */
  async apiVersion(): Promise<string> {
    return (await this.open()).apiVersion;
  }

  /** Listens to engine events (session status, messages published, acknowledged, dead …). */
  async on<K extends keyof EngineEvents>(
    event: K,
    listener: (payload: EngineEvents[K]) => void,
  ): Promise<() => void> {
    return (await this.open()).on(event, listener);
  }

  /** Commits what was accepted, lets running handlers finish, and closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    const engine = await this.engine.catch(() => undefined);
    await engine?.close();
  }

  private async open(): Promise<Engine> {
    if (this.closed) {
      throw new ValidationError(
        'INVALID_INPUT',
        'This OrchestrationClient was closed; create a new one.',
      );
    }
    return this.engine;
  }
}
