/**
 * A run's engine sessions: created per run with names unique to it, and moved to a final status
 * when it ends — along the legal moves only (SPEC.md), whatever status each one reached.
 */
import type { SessionStatus } from '../../../src-shared/domain';
import { toOrchestrationError } from '../../../src-shared/errors';
import type { RunStatus } from '../../../src-shared/workflow';
import type { MessageBus } from '../bus';
import type { SessionRegistry } from '../sessions';
import type { RunRecord } from '../store/port';

/** The random tail of a run id (its head is a timestamp, shared by runs started together). */
const runTail = (runId: string) => runId.slice(-12);

/** A run's engine session is named `<run tail>/<name>`: session names are unique per engine. */
export const runSessionName = (runId: string, name: string) =>
  `${runTail(runId)}/${name}`.slice(0, 200);

/** The workflow's name for a run's engine session, or undefined when it is not one of the run's. */
export function nameInRun(runId: string, engineName: string): string | undefined {
  const prefix = `${runTail(runId)}/`;
  return engineName.startsWith(prefix) ? engineName.slice(prefix.length) : undefined;
}

/** The run a stored row belongs to, from its metadata JSON (`{ runId }`), or null. */
export function runIdIn(metadataJson: unknown): string | null {
  try {
    const { runId } = JSON.parse(String(metadataJson ?? '{}')) as { runId?: unknown };
    return typeof runId === 'string' ? runId : null;
  } catch {
    return null;
  }
}

/** One engine session per workflow session (see runSessionName). */
export async function createSessions(
  sessions: SessionRegistry,
  run: RunRecord,
  defaultTimeoutMs: number,
  created: (workflowSessionId: string, sessionId: string) => void,
): Promise<void> {
  for (const s of run.definition.sessions) {
    const session = await sessions.create({
      type: s.type,
      name: runSessionName(run.id, s.name),
      workspace: s.workspace ?? null,
      timeoutMs: s.limits?.timeoutMs ?? defaultTimeoutMs,
      metadata: { runId: run.id, workflowSessionId: s.id },
    });
    created(s.id, session.id);
  }
}

/** A completed run completes its sessions; any other ending terminates them. */
export async function finishSessions(
  sessions: SessionRegistry,
  ids: readonly string[],
  status: RunStatus,
  warn: (sessionId: string, text: string) => void,
): Promise<void> {
  const to: SessionStatus = status === 'completed' ? 'completed' : 'terminated';
  await Promise.all(
    ids.map(async (id) => {
      try {
        // Most sessions are active here: try the move first, look closer only if refused.
        await sessions.setStatus(id, to, `run ${status}`);
      } catch {
        await finishOne(sessions, id, to, status).catch((error: unknown) =>
          warn(id, `Could not finish session: ${toOrchestrationError(error).message}`),
        );
      }
    }),
  );
}

async function finishOne(
  sessions: SessionRegistry,
  id: string,
  to: SessionStatus,
  status: RunStatus,
): Promise<void> {
  let from = (await sessions.require(id)).status;
  if (from === 'completed' || from === 'terminated') return;
  if (from === 'initializing') {
    // initializing may only become active or error; a session the run never started errs.
    await sessions.setStatus(id, 'error', 'the run ended before this session started');
    from = 'error';
  }
  if (to === 'completed' && from === 'error') return; // keeps its error for the record
  if (to === 'completed' && from === 'idle') await sessions.setStatus(id, 'active', 'finishing');
  await sessions.setStatus(id, to, `run ${status}`);
}

/** Mail still waiting for the run's sessions would never be handled: consume it. */
export async function consumeLeftovers(bus: MessageBus, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const left = await bus.mailbox(id, 1_000).catch(() => []);
    await Promise.all(left.map((m) => bus.acknowledge(m.id).catch(() => false)));
  }
}
