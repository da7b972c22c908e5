import type { ResourceLimits } from 'node:worker_threads';
import { ValidationError } from '../../../../src-shared/errors';
import type { Runner, RunnerContext, RunnerMessage, RunnerResult } from '../types';
import { createScriptCalls } from './calls';
import type { ScriptRunnerOptions, ScriptState, ScriptTaskResult } from './types';

/**
 * The `script` runner: the session's config carries `source`, a JS function body that declares
 * `async function handle(message, ctx)` (format and ctx: sandbox.mjs). Each message runs in a
 * pool worker thread, never on the main thread. Config: `source` (required), `timeoutMs`,
 * `resourceLimits`. The session's ctx.state is loaded before and saved after each message that
 * the script handled without error; a failed message leaves the state as it was.
 * Errors: a syntax error is INVALID_INPUT; a throw is INTERNAL_ERROR with the script's message
 * (or the code the error carried, e.g. FORBIDDEN from a refused ctx.send); a crash past retries
 * is WORKER_HEALTH_FAILED, a hang TASK_TIMEOUT; cancellation rejects with an AbortError.
 */
export function createScriptRunner(options: ScriptRunnerOptions): Runner {
  const memory = new Map<string, ScriptState>();
  const loadState = options.loadState ?? ((id: string) => memory.get(id));
  const saveState =
    options.saveState ??
    ((id: string, state: ScriptState) => {
      memory.set(id, state);
    });

  return {
    kind: 'script',
    async handle(message: RunnerMessage, ctx: RunnerContext): Promise<RunnerResult> {
      const { source, timeoutMs, resourceLimits, ...config } = ctx.config;
      if (typeof source !== 'string' || source.trim() === '') {
        throw new ValidationError(
          'MISSING_FIELD',
          'The script runner needs config.source (the script text)',
          'source',
        );
      }
      const state = checkState(await loadState(ctx.session.id));
      const calls = createScriptCalls(message, ctx, options.send);
      const result = await options.pool.run<ScriptTaskResult>(
        'script',
        { source, message, state, session: ctx.session, config },
        {
          label: `script:${ctx.session.name}`,
          signal: ctx.signal,
          timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : options.timeoutMs,
          resourceLimits: isObject(resourceLimits) ? (resourceLimits as ResourceLimits) : undefined,
          onCall: calls.handler,
          // Run a crashed attempt again only if it had not sent anything yet.
          shouldRetry: () => !calls.hasSideEffects(),
        },
      );
      await saveState(ctx.session.id, result.state);
      return { content: result.content };
    },
  };
}

function checkState(state: unknown): ScriptState {
  if (state === undefined || state === null) return {};
  if (!isObject(state)) {
    throw new ValidationError(
      'INVALID_INPUT',
      'A script session state must be a JSON object',
      'state',
      state,
    );
  }
  return state as ScriptState;
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
