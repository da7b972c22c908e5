import { API_VERSION } from '../../src-shared/domain';
import { MessageBus } from './bus';
import { TypedEmitter } from './events';
import type { EngineEvents } from './engine-events';
import { registerInstance } from './instance-registry';
import { resolveEngineOptions, type EngineOptions } from './options';
import { SessionRegistry } from './sessions';
import type { StoragePort } from './store/port';
import { createSqliteStorage } from './store/sqlite';

export type { EngineOptions, EngineEvents };
export { MessageBus, SessionRegistry };

export interface Engine {
  readonly apiVersion: string;
  readonly sessions: SessionRegistry;
  readonly bus: MessageBus;
  /** What start-up recovered from processes that died holding leases. */
  readonly recovery: { deadProcesses: number; releasedLeases: number };
  on: TypedEmitter<EngineEvents>['on'];
  /** Graceful: refuses new work, commits accepted work, lets handlers finish, releases leases. */
  close(): Promise<void>;
}

/** Opens (and migrates) the database and starts delivering. */
export async function createEngine(input: EngineOptions): Promise<Engine> {
  const options = resolveEngineOptions(input);
  const storage: StoragePort = createSqliteStorage({
    path: options.databasePath,
    durability: options.durability,
    nativeBinding: options.nativeBinding,
  });
  const instance = registerInstance(options.messageQueuePath);
  const events = new TypedEmitter<EngineEvents>();
  const sessions = new SessionRegistry(storage.sessions, events, {
    maxSessions: options.maxSessions,
    defaultTimeoutMs: options.sessionTimeoutMs,
    now: options.now,
    onCreated: async (session) => {
      await storage.messages.resolveReceiver(session.name, session.id);
    },
  });
  const bus = new MessageBus(storage.messages, sessions, events, {
    ...options.bus,
    owner: instance.owner,
    now: options.now,
  });

  let releasedLeases = 0;
  try {
    await sessions.prime();
    for (const owner of instance.deadOwners) {
      releasedLeases += await storage.messages.releaseLeases(owner);
      instance.forget(owner);
    }
  } catch (error) {
    instance.release();
    await storage.close();
    throw error;
  }
  bus.start();

  let closing: Promise<void> | undefined;
  return {
    apiVersion: API_VERSION,
    sessions,
    bus,
    recovery: { deadProcesses: instance.deadOwners.length, releasedLeases },
    on: events.on.bind(events),
    close() {
      closing ??= (async () => {
        await bus.shutdown();
        events.clear();
        instance.release();
        await storage.close();
      })();
      return closing;
    },
  };
}
