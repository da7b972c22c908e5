/**
 * One handler per contract method, typed from the contract: params arrive validated, and the
 * compiler checks each result against the method's declared output. Engine `undefined` becomes
 * `null` (JSON has no undefined).
 */
import type {
  EngineInfo,
  MethodName,
  ParsedParamsOf,
  ResultOf,
  Role,
} from '../../src-shared/contract';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OrchestrationError, ValidationError } from '../../src-shared/errors';
import type { Engine } from '../engine';
import { createFileServices } from './files';
import { FEATURES, type ServedEngine } from './services';
import { createWorkspaceHandlers } from './workspaces';

export interface CallContext {
  role: Role;
  databasePath: string;
}

export type Handlers = {
  [M in MethodName]: (params: ParsedParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>>;
};

const orNull = <T>(value: T | undefined | void): T | null => (value === undefined ? null : value);

export function createHandlers(engine: ServedEngine): Handlers {
  const { sessions, bus, workflows, runs, stream, checkpoints } = engine;
  const files = createFileServices(engine);
  return {
    'engine.info': async (_p, ctx): Promise<EngineInfo> => ({
      apiVersion: engine.apiVersion,
      databasePath: ctx.databasePath,
      role: ctx.role,
      features: [...FEATURES],
      recovery: engine.recovery,
    }),

    'sessions.list': (p) => sessions.list(p),
    'sessions.get': async (p) => orNull(await sessions.get(p.id)),
    'sessions.history': (p) => sessions.history(p.id),
    'sessions.create': (p) => sessions.create(p),
    'sessions.update': (p) => sessions.update(p.id, p.changes),
    'sessions.heartbeat': (p) => sessions.heartbeat(p.id),
    'sessions.terminate': (p) => sessions.terminate(p.id, p.reason),

    'bus.publish': (p) => bus.publish(p),
    'bus.publishBatch': (p) => bus.publishBatch(p.messages),
    'bus.list': (p) => bus.list(p),
    'bus.get': async (p) => orNull(await bus.get(p.id)),
    'bus.mailbox': (p) => bus.mailbox(p.receiver, p.limit),
    'bus.stats': () => bus.stats(),
    'bus.health': () => bus.health(),
    'bus.deadLetters': (p) => bus.deadLetters(p?.limit),
    'bus.requeue': async (p) => {
      await bus.requeue(p.id);
      return null;
    },
    'bus.acknowledge': async (p) => ({ acknowledged: await bus.acknowledge(p.id) }),
    'bus.reject': async (p) => {
      await bus.reject(p.id, p.reason);
      return null;
    },

    'workflows.list': (p) => workflows.list(p ?? {}),
    'workflows.get': async (p) => orNull(await workflows.get(p.id)),
    'workflows.create': (p) => workflows.create(p.definition),
    'workflows.update': (p) => workflows.update(p.id, p.definition, p.expectedRevision),
    'workflows.delete': async (p) => ({ deleted: await workflows.delete(p.id) }),

    'workflows.importFile': (p) =>
      files.importFile(p.text, { onNameClash: p.onNameClash, name: p.name, source: p.source }),
    'workflows.exportFile': (p) => files.exportFile(p.id),
    'workflows.validateFile': async (p) => files.validateFile(p.text),
    'workflows.trust': (p, ctx) => files.trust(p.id, p.contentHash, `app (${ctx.role})`),

    'checkpoints.create': (p) => checkpoints.create(p),
    'checkpoints.list': (p) => checkpoints.list(p ?? {}),
    'checkpoints.get': async (p) => orNull(await checkpoints.get(p.id)),
    'checkpoints.preview': (p) => engine.checkpoints.preview(p.id),
    'checkpoints.restore': (p) =>
      checkpoints.restore(
        p.id,
        p.preserveCurrentState === undefined
          ? {}
          : { preserveCurrentState: p.preserveCurrentState },
      ),
    'checkpoints.compare': (p) => checkpoints.compare(p.from, p.to, p.limit),
    'checkpoints.fork': (p, ctx) => checkpoints.fork(p.id, { databasePath: forkPath(ctx, p.id) }),
    'checkpoints.delete': async (p) => ({ deleted: await checkpoints.delete(p.id) }),

    // engine.runs.start refuses imported content nobody trusted (FORBIDDEN, with what it runs).
    'runs.start': (p) => runs.start(p.workflowId, p.input),
    'runs.get': async (p) => orNull(await runs.get(p.id)),
    'runs.list': (p) => runs.list(p ?? {}),
    'runs.cancel': (p) => runs.cancel(p.id, p.reason),
    'runs.resume': (p) => runs.resume(p.id),
    'runs.delete': async (p) => ({ deleted: await runs.delete(p.id) }),
    'runs.wait': (p) => runs.wait(p.id, p.timeoutMs),
    'runs.waiting': async (p) => runs.waiting(p?.runId),
    'runs.answer': async (p) => {
      await runs.answer(p.messageId, p.content);
      return null;
    },

    ...createWorkspaceHandlers(engine),

    'permissions.list': async (p) => servedPermissions(engine).list(p?.runId),
    'permissions.answer': async (p) => {
      servedPermissions(engine).answer(p.requestId, {
        decision: p.decision,
        ...(p.message !== undefined ? { message: p.message } : {}),
        ...(p.updatedInput !== undefined ? { updatedInput: p.updatedInput } : {}),
      });
      return null;
    },

    'audit.list': async (p) => {
      const audit = (engine as Partial<Pick<Engine, 'audit'>>).audit;
      if (!audit) {
        throw new OrchestrationError('SERVICE_UNAVAILABLE', 'This engine keeps no audit log.');
      }
      return audit.list(p);
    },

    'events.since': async (p) => {
      const events = await stream.since(p.seq, p.limit ?? 1_000);
      return { events, lastSeq: await stream.lastSeq() };
    },
  };
}

function servedPermissions(engine: ServedEngine): NonNullable<ServedEngine['permissions']> {
  if (!engine.permissions) {
    throw new OrchestrationError('SERVICE_UNAVAILABLE', 'This engine has no agents to answer.');
  }
  return engine.permissions;
}

/** Forks go beside the database, named by checkpoint and time; the client never names a path. */
function forkPath(ctx: CallContext, checkpointId: string): string {
  const db = ctx.databasePath;
  if (!db || db === ':memory:') {
    throw new ValidationError(
      'INVALID_INPUT',
      'This engine has no database file to fork beside.',
      'databasePath',
    );
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const safe = checkpointId.replace(/[^\w-]/g, '_').slice(0, 60);
  const dir = join(dirname(db), 'forks');
  mkdirSync(dir, { recursive: true });
  return join(dir, `fork-${safe}-${stamp}.db`);
}
