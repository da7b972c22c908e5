/**
 * @claudesclaude/orchestration-sdk — the OrchestrationClient, one API in two modes:
 *   embedded  new OrchestrationClient({ databasePath })   the engine runs in your process
 *   remote    new OrchestrationClient({ url, token })     a running app or `orchestration serve`
 * Every method returns a promise and fails with an OrchestrationError (a stable `code`, the same
 * in both modes).
 */
import type { StreamEventKind } from '../../src-shared/stream';
import { ValidationError } from '../../src-shared/errors';
import type {
  Backend,
  CheckpointsApi,
  PermissionsApi,
  ClientMode,
  EngineInfo,
  EventOf,
  EventsApi,
  MessageBusApi,
  RunsApi,
  SessionsApi,
  WorkflowsApi,
} from './api';
import { createEmbeddedBackend } from './embedded';
import type { EmbeddedOptions, OrchestrationClientOptions, RemoteOptions } from './options';
import { createRemoteBackend } from './remote';

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
  MessageQuery,
  PublishInput,
  SessionCreateInput,
  SessionListQuery,
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
export type {
  Run,
  RunStatus,
  Workflow,
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowSession,
} from '../../src-shared/workflow';
export type { StreamEvent, StreamEventKind } from '../../src-shared/stream';
export type {
  CheckpointQueryInput,
  CreateCheckpointInput,
  RestoreOptions,
} from '../../src-main/engine/checkpoints';
export type * from './api';
export type { EmbeddedOptions, OrchestrationClientOptions, RemoteOptions };
export type { RateLimitRetry } from './retry';

const isRemote = (o: OrchestrationClientOptions): o is RemoteOptions =>
  typeof (o as RemoteOptions).url === 'string';

export class OrchestrationClient {
  /** 'embedded' (databasePath) or 'remote' (url). */
  readonly mode: ClientMode;
  readonly sessions: SessionsApi;
  readonly messageBus: MessageBusApi;
  readonly workflows: WorkflowsApi;
  readonly runs: RunsApi;
  readonly checkpoints: CheckpointsApi;
  /** Claude Code agents waiting for a person: list them, allow/deny, answer questions. */
  readonly permissions: PermissionsApi;
  /** The ordered event stream (messages, sessions, runs, runner logs), resumable by seq. */
  readonly events: EventsApi;
  private readonly backend: Backend;
  private closed = false;

  constructor(options: OrchestrationClientOptions) {
    const o = (options ?? {}) as Partial<EmbeddedOptions & RemoteOptions>;
    if (typeof options !== 'object' || options === null) {
      throw missingOptions(options);
    }
    if (typeof o.url === 'string' && typeof o.databasePath === 'string') {
      throw new ValidationError(
        'INVALID_INPUT',
        'Give OrchestrationClient either { databasePath } (embedded) or { url, token } (remote), not both.',
        'url',
      );
    }
    if (!isRemote(options) && typeof o.databasePath !== 'string') throw missingOptions(o);
    this.backend = isRemote(options)
      ? createRemoteBackend(options)
      : createEmbeddedBackend(options);
    this.mode = this.backend.mode;
    this.sessions = this.guard(this.backend.sessions);
    this.messageBus = this.guard(this.backend.messageBus);
    this.workflows = this.guard(this.backend.workflows);
    this.runs = this.guard(this.backend.runs);
    this.checkpoints = this.guard(this.backend.checkpoints);
    this.permissions = this.guard(this.backend.permissions);
    this.events = this.guard(this.backend.events);
  }

  /** The engine's API version (semver). */
  async apiVersion(): Promise<string> {
    return (await this.info()).apiVersion;
  }

  /** API version, database, your role (remote: the token's), and the services the engine has. */
  info(): Promise<EngineInfo> {
    this.assertOpen();
    return this.backend.info();
  }

  /**
   * Listens to one kind of stream event ('message.published', 'message.acknowledged',
   * 'session.status', 'run.status', 'runner.log', … or '*' for all), the same in both modes.
   * Resolves with the unsubscribe function once listening.
   */
  on<K extends StreamEventKind>(
    kind: K | '*',
    listener: (event: EventOf<K>) => void,
  ): Promise<() => void> {
    this.assertOpen();
    return this.backend.events.subscribe((events) => {
      for (const event of events) {
        if (kind === '*' || event.kind === kind) listener(event as EventOf<K>);
      }
    });
  }

  /**
   * Embedded: commits what was accepted, lets running handlers finish, closes the database.
   * Remote: closes the connection (the server and its engine keep running).
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.backend.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ValidationError(
        'INVALID_INPUT',
        'This OrchestrationClient was closed; create a new one.',
      );
    }
  }

  /** Every method refuses (INVALID_INPUT) once the client is closed; async ones by rejecting. */
  private guard<T extends object>(api: T): T {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(api)) {
      if (typeof fn !== 'function') continue;
      out[name] =
        name === 'subscribe' && api === (this.backend.messageBus as object)
          ? (...args: unknown[]) => {
              this.assertOpen();
              return (fn as (...a: unknown[]) => unknown)(...args);
            }
          : async (...args: unknown[]) => {
              this.assertOpen();
              return (fn as (...a: unknown[]) => unknown)(...args);
            };
    }
    return out as T;
  }
}

function missingOptions(value: unknown): ValidationError {
  return new ValidationError(
    'MISSING_FIELD',
    'OrchestrationClient needs { databasePath } (embedded: the SQLite file the engine uses) ' +
      'or { url, token } (remote: a running app or `orchestration serve`).',
    'databasePath',
    value,
  );
}
