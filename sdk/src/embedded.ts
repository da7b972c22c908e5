/** Embedded mode: the engine runs in this process on the SQLite file at `databasePath`. */
import { createEngine, type Engine } from '../../src-main/engine';
import {
  checkWorkflowFile,
  contentHash,
  describeWhatItRuns,
} from '../../src-main/engine/workflows/file';
import { contract, type FileCheckResult, type FileProblem } from '../../src-shared/contract';
import { isOrchestrationError } from '../../src-shared/errors';
import { subscriptionFilterSchema } from '../../src-shared/schemas';
import { validate } from '../../src-shared/validate';
import type { Backend, EngineInfo } from './api';
import type { EmbeddedOptions } from './options';
import { replayThenLive } from './stream';

export function createEmbeddedBackend(options: EmbeddedOptions): Backend {
  const opening = createEngine(options);
  // A failed open surfaces on the first call; don't let it become an unhandled rejection first.
  opening.catch(() => undefined);
  const use =
    <A extends unknown[], R>(fn: (engine: Engine, ...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> =>
      fn(await opening, ...args);

  const since = async (engine: Engine, seq: number, limit = 1_000) => {
    const events = await engine.stream.since(seq, limit);
    return { events, lastSeq: engine.stream.lastSeq() };
  };

  return {
    mode: 'embedded',
    sessions: {
      create: use((e, input) => e.sessions.create(input)),
      get: use((e, id) => e.sessions.get(id)),
      list: use((e, query) => e.sessions.list(query)),
      update: use((e, id, changes) => e.sessions.update(id, changes)),
      setStatus: use((e, id, status, reason) => e.sessions.setStatus(id, status, reason)),
      terminate: use((e, id, reason) => e.sessions.terminate(id, reason)),
      heartbeat: use((e, id) => e.sessions.heartbeat(id)),
      history: use((e, id) => e.sessions.history(id)),
    },
    messageBus: {
      publish: use((e, input) => e.bus.publish(input)),
      publishBatch: use((e, inputs) => e.bus.publishBatch(inputs)),
      request: use((e, input, timeoutMs) => e.bus.request(input, timeoutMs)),
      respond: use((e, request, input) => e.bus.respond(request, input)),
      acknowledge: use((e, id) => e.bus.acknowledge(id)),
      reject: use((e, id, reason) => e.bus.reject(id, reason)),
      deadLetters: use((e, limit) => e.bus.deadLetters(limit)),
      requeue: use((e, id) => e.bus.requeue(id)),
      get: use((e, id) => e.bus.get(id)),
      list: use((e, query) => e.bus.list(query)),
      mailbox: use((e, receiver, limit) => e.bus.mailbox(receiver, limit)),
      stats: use((e) => e.bus.stats()),
      health: use((e) => e.bus.health()),
      subscribe(filter, handler, subscribeOptions) {
        // A bad filter throws here, synchronously, as the engine's subscribe does.
        validate(subscriptionFilterSchema, filter, 'subscription filter');
        let unsubscribe: (() => void) | undefined;
        let cancelled = false;
        void opening
          .then((engine) => {
            if (!cancelled) unsubscribe = engine.bus.subscribe(filter, handler, subscribeOptions);
          })
          .catch((error: unknown) => console.error('orchestration: subscribe failed', error));
        return () => {
          cancelled = true;
          unsubscribe?.();
        };
      },
    },
    workflows: {
      list: use((e, query) => e.workflows.list(query)),
      get: use((e, id) => e.workflows.get(id)),
      create: use((e, definition) => e.workflows.create(definition)),
      update: use((e, id, definition, expectedRevision) =>
        e.workflows.update(id, definition, expectedRevision),
      ),
      delete: use((e, id) => e.workflows.delete(id)),
      importFile: use(async (e, text, importOptions) => {
        const { trustedNow: _, ...result } = await e.files.import(text, { ...importOptions });
        return result;
      }),
      exportFile: use(async (e, id) => {
        const { text, fileName, removed } = await e.files.export(id);
        return { text, fileName, removed };
      }),
      validateFile: use((_e, text) => validateFile(text)),
      trust: use(async (e, id, hash) => {
        const record = await e.files.trust(id, hash, 'sdk');
        return { id, contentHash: record.hash, trustedAt: record.trustedAt };
      }),
    },
    runs: {
      start: use((e, workflowId, input) => e.runs.start(workflowId, input)),
      get: use((e, id) => e.runs.get(id)),
      list: use((e, query) => e.runs.list(query)),
      cancel: use((e, id, reason) => e.runs.cancel(id, reason)),
      resume: use((e, id) => e.runs.resume(id)),
      wait: use((e, id, timeoutMs) => e.runs.wait(id, timeoutMs)),
      delete: use((e, id) => e.runs.delete(id)),
      waiting: use((e, runId) => e.runs.waiting(runId)),
      answer: use((e, messageId, content) => e.runs.answer(messageId, content)),
    },
    checkpoints: {
      create: use((e, input) => e.checkpoints.create(input)),
      list: use((e, query) => e.checkpoints.list(query)),
      get: use((e, id) => e.checkpoints.get(id)),
      restore: use((e, id, restoreOptions) => e.checkpoints.restore(id, restoreOptions)),
      compare: use((e, a, b, limit) => e.checkpoints.compare(a, b, limit)),
      delete: use((e, id) => e.checkpoints.delete(id)),
    },
    permissions: {
      list: use((e, runId) => e.permissions.list(runId)),
      answer: use((e, requestId, answer) => {
        // The same checks the server makes, so a bad answer fails alike in both modes.
        const p = validate(
          contract['permissions.answer'].input,
          { requestId, ...answer },
          'permission answer',
        );
        const { requestId: id, ...rest } = p;
        e.permissions.answer(id, rest);
      }),
    },
    events: {
      since: use(since),
      subscribe: use((e, listener, subscribeOptions) =>
        replayThenLive(
          (l) => e.stream.subscribe((batch) => l([...batch])),
          (seq, limit) => since(e, seq, limit),
          subscribeOptions?.sinceSeq,
          listener,
        ),
      ),
    },
    info: use((e): EngineInfo => ({
      apiVersion: e.apiVersion,
      databasePath: options.databasePath,
      role: 'admin',
      features: ['workflows', 'runs', 'stream', 'files', 'checkpoints'],
      recovery: e.recovery,
    })),
    async close() {
      const engine = await opening.catch(() => undefined);
      await engine?.close();
    },
  };
}

/** The contract's shape of a file check (what the server's workflows.validateFile answers). */
function validateFile(text: string): FileCheckResult {
  const check = checkWorkflowFile(text);
  if (!check.ok) return check;
  try {
    const result: FileCheckResult = {
      ok: true,
      name: check.workflow.name,
      definition: check.workflow,
      warnings: check.warnings,
      contentHash: contentHash(check.workflow),
      whatItRuns: describeWhatItRuns(check.workflow),
    };
    if (check.migratedFrom !== undefined) result.migratedFrom = check.migratedFrom;
    return result;
  } catch (error) {
    if (!isOrchestrationError(error)) throw error;
    const problems = (error.details.problems as FileProblem[] | undefined) ?? [
      { path: '', rule: 'engine-rule', message: error.message },
    ];
    return { ok: false, code: error.code, message: error.message, problems };
  }
}
