import { API_VERSION } from '../../src-shared/domain';
import { MessageBus } from './bus';
import {
  AutoCheckpoints,
  CheckpointService,
  resolveCheckpointOptions,
  type CheckpointOptions,
} from './checkpoints';
import { TypedEmitter } from './events';
import { FileService } from './files';
import type { EngineEvents } from './engine-events';
import { registerInstance } from './instance-registry';
import { resolveEngineOptions, type EngineOptions } from './options';
import { createWorkerPool, type WorkerPool } from './pool';
import { RunService } from './runs';
import { ownerIsDead } from './runs/recover';
import { RunnerSet } from './runs/runners';
import { SessionRegistry } from './sessions';
import type { StoragePort } from './store/port';
import { createSqliteStorage } from './store/sqlite';
import {
  createSecurity,
  defaultSecretStore,
  runnerEnv,
  type AuditLog,
  type EngineSecurity,
  type SecretStore,
  type SecurityOptions,
  type TokenService,
} from './security';
import { EventStream, feedStream } from './stream';
import { backfillStream } from './stream/backfill';
import { WorkflowService } from './workflows';
import {
  createRunWorkspaces,
  warmOnSave,
  worktreeCheckpoints,
  type RunWorkspaces,
} from './workspaces';
import type { PermissionAnswer, PermissionRequest } from './runners/claude-code';
import { dirname, join } from 'node:path';

export type { EngineOptions, EngineEvents, CheckpointOptions, SecurityOptions };
export {
  MessageBus,
  SessionRegistry,
  WorkflowService,
  RunService,
  EventStream,
  CheckpointService,
  FileService,
};

export interface PermissionService {
  /** Requests waiting for a person, oldest first; optionally one run's. */
  list(runId?: string): PermissionRequest[];
  /** allow / deny a tool use, or answer a question (message); INVALID_INPUT if none waits. */
  answer(requestId: string, answer: PermissionAnswer): void;
}

export interface Engine {
  readonly apiVersion: string;
  readonly sessions: SessionRegistry;
  readonly bus: MessageBus;
  /** Saved topologies (validated, versioned). */
  readonly workflows: WorkflowService;
  /** Workflow files: import (never runs anything), export, validate, and trust by content hash. */
  readonly files: FileService;
  /** Executions of workflows, kept as history. */
  readonly runs: RunService;
  /** The ordered, durable, resumable event stream for clients. */
  readonly stream: EventStream;
  /** The worker pool scripts run in; started on first use. */
  readonly pool: WorkerPool;
  /** Snapshots of the whole orchestration: create, restore, compare, fork, export/import. */
  readonly checkpoints: CheckpointService;
  /** What start-up recovered from processes that died holding leases (and their runs). */
  readonly recovery: { deadProcesses: number; releasedLeases: number; interruptedRuns: number };
  /** API tokens: create (the secret is shown once), list, revoke, authenticate. */
  readonly tokens: TokenService;
  /** Who did what: every mutating call and every refusal (90-day retention). */
  readonly audit: AuditLog;
  /** Rate limits, the audit log and the workspace root, as the RPC layer applies them. */
  readonly security: EngineSecurity;
  /** API keys for runners: the OS keychain when the host injects one, else a 0600 file. */
  readonly secrets: SecretStore;
  /** Agents waiting for a person (tool permissions, questions): list them and answer. */
  readonly permissions: PermissionService;
  /** The runs' git worktrees (one branch per department of a workflow with a repository). */
  readonly workspaces: RunWorkspaces;
  on: TypedEmitter<EngineEvents>['on'];
  /** Graceful: refuses new work, commits accepted work, lets handlers finish, releases leases. */
  close(): Promise<void>;
}

/** Opens (and migrates) the database and starts delivering. */
export async function createEngine(
  input: EngineOptions & {
    checkpoints?: CheckpointOptions;
    security?: SecurityOptions;
    /** Where API keys live (Electron: its safeStorage); default secrets.json beside the database. */
    secrets?: SecretStore;
  },
): Promise<Engine> {
  const {
    checkpoints: checkpointInput,
    security: securityInput,
    secrets: secretsInput,
    ...engineInput
  } = input ?? {};
  const options = resolveEngineOptions(engineInput);
  const checkpointOptions = resolveCheckpointOptions(checkpointInput);
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

  let pool: WorkerPool | undefined;
  const getPool = () => (pool ??= createWorkerPool({ name: 'engine' }));
  const workflows = new WorkflowService(storage.workflows, {
    now: options.now,
    hasLiveRuns: (id) => runs.hasLiveRuns(id),
    onSaved: (workflow) => prepareAhead.saved(workflow),
  });
  const files = new FileService({ workflows, store: storage.trust, now: options.now });
  // Beside the database (the queue directory's parent for an in-memory one).
  const dataDir =
    options.databasePath === ':memory:'
      ? dirname(options.messageQueuePath)
      : dirname(options.databasePath);
  const workspaces = createRunWorkspaces({
    stateDir: join(dataDir, 'workspaces'),
    // After a run, its repository gets this many ready worktrees, so the next Run does not wait
    // for checkouts (docs/worktrees.md).
    spares: { perRepository: 8 },
    log: (level, text) => events.emit('runner.log', { sessionId: '', runId: null, level, text }),
  });
  const prepareAhead = warmOnSave({
    workspaces,
    isTrusted: (workflow) =>
      files.checkRunnable(workflow).then(
        () => true,
        () => false,
      ),
    log: (text) => events.emit('runner.log', { sessionId: '', runId: null, level: 'warn', text }),
  });
  const secrets = secretsInput ?? defaultSecretStore(options.databasePath);
  let runnerSet!: RunnerSet;
  const runs: RunService = new RunService({
    bus,
    sessions,
    store: storage.runs,
    events,
    now: options.now,
    defaultTimeoutMs: options.sessionTimeoutMs,
    workflows,
    owner: instance.owner,
    runners: (send) =>
      (runnerSet = new RunnerSet({
        pool: getPool,
        sessions,
        send,
        now: options.now,
        dataDir,
        // A key in the environment wins; else the one the user stored in the app.
        env: () => runnerEnv(secrets),
        workspaces: () => workspaces,
        onPermission: (request, outcome) =>
          events.emit(
            outcome === null ? 'permission.requested' : 'permission.resolved',
            outcome === null ? request : { ...request, outcome },
          ),
      })),
    beforeStart: (workflow) => files.checkRunnable(workflow),
  });

  let releasedLeases = 0;
  let interruptedRuns = 0;
  let stream: EventStream;
  let security: Awaited<ReturnType<typeof createSecurity>>;
  try {
    security = await createSecurity(storage, securityInput, options.now);
    stream = await EventStream.open(storage.stream, options.now);
    feedStream(events, stream);
    await sessions.prime();
    // After a crash, first the message events the stream lost (they precede the recovery's own).
    if (instance.deadOwners.length > 0) await backfillStream(stream, storage.messages);
    interruptedRuns = await runs.recover(
      ownerIsDead(options.messageQueuePath, instance.owner, instance.deadOwners),
    );
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
  const checkpoints = new CheckpointService(
    {
      store: storage.checkpoints,
      runs,
      sessions,
      events,
      now: options.now,
      owner: instance.owner,
      abandonDeliveries: () => bus.abandonDeliveries(),
      openStorage: (path) => createSqliteStorage({ path, nativeBinding: options.nativeBinding }),
      markImportedWorkflows: (list, source) => files.markFromCheckpoint(list, source),
    },
    checkpointOptions,
  );
  checkpoints.extend(worktreeCheckpoints(workspaces));
  const autoCheckpoints = new AutoCheckpoints(checkpoints, events);
  autoCheckpoints.start();

  let closing: Promise<void> | undefined;
  return {
    apiVersion: API_VERSION,
    sessions,
    bus,
    workflows,
    files,
    runs,
    stream,
    checkpoints,
    get pool() {
      return getPool();
    },
    tokens: security.tokens,
    audit: security.audit,
    security,
    secrets,
    workspaces,
    permissions: {
      list: (runId) => runnerSet.permissions.list(runId),
      answer: (requestId, answer) => runnerSet.permissions.answer(requestId, answer),
    },
    recovery: { deadProcesses: instance.deadOwners.length, releasedLeases, interruptedRuns },
    on: events.on.bind(events),
    close() {
      closing ??= (async () => {
        // Refuses new checkpoint changes at once; the ones under way finish before storage closes.
        const checkpointsSettled = checkpoints.close();
        await autoCheckpoints.stop();
        await checkpointsSettled;
        await runs.shutdown();
        prepareAhead.stop();
        await workspaces.close();
        await bus.shutdown();
        await stream.close();
        events.clear();
        await pool?.destroy();
        await security.close();
        instance.release();
        await storage.close();
      })();
      return closing;
    },
  };
}
