/**
 * workspaces.* handlers: a department's diff, merge, discard and the run's git commands. The
 * session may be named by its engine session id or by its workflow session id (as the canvas
 * knows it); the run's session map turns the one into the other.
 */
import { OrchestrationError } from '../../src-shared/errors';
import type { RunWorkspaces } from '../engine/workspaces';
import type { Handlers } from './handlers';
import type { ServedEngine } from './services';

type WorkspaceMethods =
  'workspaces.diff' | 'workspaces.merge' | 'workspaces.discard' | 'workspaces.commands';

export function createWorkspaceHandlers(
  engine: ServedEngine & { workspaces?: RunWorkspaces },
): Pick<Handlers, WorkspaceMethods> {
  const service = (): RunWorkspaces => {
    if (!engine.workspaces) {
      throw new OrchestrationError('SERVICE_UNAVAILABLE', 'This engine manages no git worktrees.');
    }
    return engine.workspaces;
  };
  const sessionOf = async (runId: string, sessionId: string): Promise<string> => {
    if (service().get(runId, sessionId)) return sessionId;
    const mapped = (await engine.runs.get(runId))?.sessions[sessionId];
    return mapped && service().get(runId, mapped) ? mapped : sessionId;
  };
  return {
    'workspaces.diff': async (p) => service().diff(p.runId, await sessionOf(p.runId, p.sessionId)),
    'workspaces.merge': async (p) =>
      service().merge(p.runId, await sessionOf(p.runId, p.sessionId)),
    'workspaces.discard': async (p) => {
      await service().discard(p.runId, await sessionOf(p.runId, p.sessionId));
      return null;
    },
    'workspaces.commands': async (p) => {
      const all = service().commands(p.runId);
      if (p.sessionId === undefined) return all;
      const mapped = (await engine.runs.get(p.runId))?.sessions[p.sessionId];
      return all.filter((c) => c.sessionId === p.sessionId || (mapped && c.sessionId === mapped));
    },
  };
}
