import type { EngineOptions } from '../../src-main/engine';

/**
 * Embedded mode: the engine runs inside your process on the SQLite file at `databasePath`.
 * `messageQueuePath` is the directory where the bus registers this process, so that after a
 * crash the next process hands the dead one's in-flight messages back at once (default:
 * `.orchestration/queue` beside the database).
 */
export interface OrchestrationClientOptions extends Omit<EngineOptions, 'now'> {
  databasePath: string;
  messageQueuePath?: string;
}
