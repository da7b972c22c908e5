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
import { FEATURES, type ServedEngine } from './services';

export interface CallContext {
  role: Role;
  databasePath: string;
}

export type Handlers = {
  [M in MethodName]: (params: ParsedParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>>;
};

const orNull = <T>(value: T | undefined | void): T | null => (value === undefined ? null : value);

export function createHandlers(engine: ServedEngine): Handlers {
  const { sessions, bus, workflows, runs, stream } = engine;
  return {
    'engine.info': async (_p, ctx): Promise<EngineInfo> => ({
      apiVersion: engine.apiVersion,
      databasePath: ctx.databasePath,
      role: ctx.role,
      features: [...FEATURES],
    }),

    'sessions.list': (p) => sessions.list(p),
    'sessions.get': async (p) => orNull(await sessions.get(p.id)),
    'sessions.history': (p) => sessions.history(p.id),
    'sessions.create': (p) => sessions.create(p),
    'sessions.update': (p) => sessions.update(p.id, p.changes),
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

    'runs.start': (p) => runs.start(p.workflowId, p.input),
    'runs.get': async (p) => orNull(await runs.get(p.id)),
    'runs.list': (p) => runs.list(p ?? {}),
    'runs.cancel': (p) => runs.cancel(p.id, p.reason),
    'runs.wait': (p) => runs.wait(p.id, p.timeoutMs),
    'runs.waiting': async (p) => runs.waiting(p?.runId),
    'runs.answer': async (p) => {
      await runs.answer(p.messageId, p.content);
      return null;
    },

    'events.since': async (p) => {
      const events = await stream.since(p.seq, p.limit ?? 1_000);
      return { events, lastSeq: await stream.lastSeq() };
    },
  };
}
