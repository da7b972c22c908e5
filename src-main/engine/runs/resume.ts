/**
 * What an interrupted run had done, read back from the bus before it is resumed. The director's
 * progress and each department's current task live in memory while a run executes; the messages
 * they sent and took are durable, so they tell the story again:
 *   - the director's directions and the answers it already took rebuild its assignments;
 *   - work a department took (acknowledged) but never answered is handed to it again;
 *   - everything not yet acknowledged is simply delivered again by the bus (at least once).
 * Read before the resumed run subscribes, so nothing delivered to it can be counted twice.
 */
import { DIRECTOR_TO_DEPARTMENT } from '../../../src-shared/domain';
import type { Message } from '../../../src-shared/types';
import type { MessageBus } from '../bus';
import type { SessionRegistry } from '../sessions';
import type { DirectorHistory } from './directors';

const WORK: readonly string[] = DIRECTOR_TO_DEPARTMENT;
const ANSWERS: readonly string[] = ['COMPLETION_NOTIFICATION', 'ERROR'];
/** The bus lists at most this many messages per query (a run's own mail, not the queue). */
const LIMIT = 10_000;

export class ResumeHistory {
  private constructor(
    private readonly sent: ReadonlyMap<string, readonly Message[]>,
    private readonly received: ReadonlyMap<string, readonly Message[]>,
  ) {}

  /** Reads every message the run's sessions sent and received. */
  static async load(bus: MessageBus, sessionIds: readonly string[]): Promise<ResumeHistory> {
    const sent = new Map<string, Message[]>();
    const received = new Map<string, Message[]>();
    for (const id of sessionIds) {
      sent.set(id, byId(await bus.list({ sender: id, limit: LIMIT })));
      received.set(id, byId(await bus.list({ receiver: id, limit: LIMIT })));
    }
    return new ResumeHistory(sent, received);
  }

  director(engineId: string): DirectorHistory {
    return {
      sent: this.sent.get(engineId) ?? [],
      handled: (this.received.get(engineId) ?? []).filter((m) => m.state === 'acknowledged'),
    };
  }

  /** Work the department took but never answered (its runner was stopped mid-task). */
  unanswered(engineId: string): Message[] {
    const answered = new Set(
      (this.sent.get(engineId) ?? [])
        .filter((m) => ANSWERS.includes(m.type))
        .map((m) => m.metadata.correlationId),
    );
    return (this.received.get(engineId) ?? []).filter(
      (m) => m.state === 'acknowledged' && WORK.includes(m.type) && !answered.has(m.id),
    );
  }

  /** Sessions left idle (or never started) by the interruption become active again. */
  async reactivate(sessions: SessionRegistry, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const session = await sessions.get(id);
      if (session?.status === 'idle' || session?.status === 'initializing') {
        await sessions.setStatus(id, 'active', 'run resumed');
      }
    }
  }
}

/** Publication order (ids are time-ordered; the bus lists by priority first). */
function byId(messages: Message[]): Message[] {
  return messages.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : 1));
}
