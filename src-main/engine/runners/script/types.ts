import type { MessageType } from '../../../../src-shared/domain';
import type { WorkerPool } from '../../pool';

/** A `ctx.send(receiver, type, content)` from a script, for the orchestrator to publish along an edge. */
export interface ScriptSendRequest {
  /** The sending session's id. */
  from: string;
  receiver: string;
  type: MessageType;
  content: unknown;
  /** The id of the message being handled (for metadata.correlationId). */
  inReplyTo: string;
}

/** A session's script state: a JSON object. */
export type ScriptState = Record<string, unknown>;

export interface ScriptRunnerOptions {
  /** The pool the scripts run in; the runner does not own it (dispose() leaves it running). */
  pool: WorkerPool;
  /** Publishes a script's ctx.send; a rejection (e.g. FORBIDDEN, no edge) is thrown inside the script. */
  send(request: ScriptSendRequest): Promise<void>;
  /** The session's state before a message (undefined/null: `{}`). Default: kept in memory by the runner. */
  loadState?(
    sessionId: string,
  ): ScriptState | null | undefined | Promise<ScriptState | null | undefined>;
  /** Stores the state after a message the script handled without error. */
  saveState?(sessionId: string, state: ScriptState): void | Promise<void>;
  /** Per-message timeout when the session's config has no `timeoutMs` (default: the pool's). */
  timeoutMs?: number;
}

/** What the worker's `script` task returns (sandbox.mjs). */
export interface ScriptTaskResult {
  content: unknown;
  state: ScriptState;
}
