import type { SessionStatus } from '../../src-shared/domain';
import type { Message, Session } from '../../src-shared/types';
import type { Run } from '../../src-shared/workflow';
import type { PermissionOutcome, PermissionRequest } from './runners/claude-code';

/** Everything the engine announces. Message events carry the message as stored at that moment. */
export interface EngineEvents {
  'session.created': Session;
  'session.updated': Session;
  'session.status': {
    session: Session;
    from: SessionStatus;
    to: SessionStatus;
    reason: string | null;
  };
  'session.error': { session: Session; error: string | null };
  'session.terminated': { session: Session; reason: string | null };
  'message.published': Message;
  'message.delivered': Message;
  'message.acknowledged': { id: string };
  'message.failed': { id: string; reason: string };
  'message.dead': { id: string; reason: string };
  'run.status': Run;
  /** The run's record and worktrees were removed (runs.delete). */
  'run.deleted': { runId: string };
  /** An agent waits for a person (tool permission or question): permissions.answer settles it. */
  'permission.requested': PermissionRequest;
  /** The request was answered (allowed/denied) or withdrawn (its task or run ended). */
  'permission.resolved': PermissionRequest & { outcome: PermissionOutcome };
  'runner.log': {
    sessionId: string;
    runId: string | null;
    level: 'debug' | 'info' | 'warn' | 'error';
    text: string;
  };
}
