import type { CheckpointOptions, EngineOptions } from '../../src-main/engine';
import type { RateLimitRetry } from './retry';

/**
 * Embedded mode: the engine runs inside your process on the SQLite file at `databasePath`.
 * `messageQueuePath` is the directory where the bus registers this process, so that after a
 * crash the next process hands the dead one's in-flight messages back at once (default:
 * `.orchestration/queue` beside the database).
 */
export interface EmbeddedOptions extends Omit<EngineOptions, 'now'> {
  databasePath: string;
  messageQueuePath?: string;
  /** Automatic checkpoints, retention, codec — see docs/checkpoints.md. */
  checkpoints?: CheckpointOptions;
}

/**
 * Remote mode: every call goes over a WebSocket to a running app or `orchestration serve`.
 * `url` is what the server printed (`http://127.0.0.1:PORT/?token=…`) or its `ws://…/ws`
 * address; `token` may be given here instead of in the URL (it is sent as a Bearer header).
 */
export interface RemoteOptions {
  url: string;
  token?: string;
  /** How long a call waits for the connection before failing with SERVICE_UNAVAILABLE (10 s). */
  connectTimeoutMs?: number;
  /** Reconnect after a lost connection (default true); calls in flight then fail SERVICE_UNAVAILABLE. */
  reconnect?: boolean;
  /**
   * A call refused with RATE_LIMITED waits the server's `retryAfterMs` and is sent again, up to
   * `maxRetries` (3) times and never for a wait over `maxWaitMs` (30 s); `false` switches it off.
   */
  retryOnRateLimit?: boolean | RateLimitRetry;
}

export type { RateLimitRetry };
export type OrchestrationClientOptions = EmbeddedOptions | RemoteOptions;
