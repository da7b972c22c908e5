import {
  SESSION_TRANSITIONS,
  canTransition,
  type SessionStatus,
  type SessionType,
} from '../../../src-shared/domain';
import { OrchestrationError, ValidationError } from '../../../src-shared/errors';
import {
  sessionCreateSchema,
  sessionListSchema,
  sessionUpdateSchema,
  type SessionCreateInput,
  type SessionListQuery,
  type SessionUpdateInput,
} from '../../../src-shared/schemas';
import type { Session, SessionHistoryEntry } from '../../../src-shared/types';
import { validate } from '../../../src-shared/validate';
import type { TypedEmitter } from '../events';
import { newId } from '../ids';
import type { EngineEvents } from '../engine-events';
import type { SessionChange, SessionStore } from '../store/port';

export interface SessionRegistryOptions {
  maxSessions: number;
  defaultTimeoutMs: number;
  now: () => number;
  /** Called after a session exists, so mail addressed to its name finds it. */
  onCreated: (session: Session) => Promise<void>;
}

/** How many times an update re-reads and retries when another writer moved the status under it. */
const CAS_ATTEMPTS = 5;

export class SessionRegistry {
  /** id → type and name → id; types never change, so the bus can check senders without a query. */
  private readonly typeCache = new Map<string, SessionType>();
  private readonly nameCache = new Map<string, string>();
  private readonly idToName = new Map<string, string>();

  constructor(
    private readonly store: SessionStore,
    private readonly events: TypedEmitter<EngineEvents>,
    private readonly options: SessionRegistryOptions,
  ) {}

  async create(input: SessionCreateInput): Promise<Session> {
    const parsed = validate(sessionCreateSchema, input, 'session');
    const now = this.options.now();
    const session: Session = {
      id: newId(),
      type: parsed.type,
      name: parsed.name,
      workspace: parsed.workspace ?? null,
      status: 'initializing',
      state: parsed.state ?? {},
      metadata: parsed.metadata ?? {},
      timeoutMs: parsed.timeoutMs ?? this.options.defaultTimeoutMs,
      createdAt: now,
      updatedAt: now,
      lastHeartbeatAt: null,
      error: null,
    };
    await this.store.insert(session, this.options.maxSessions);
    this.remember(session);
    await this.options.onCreated(session);
    this.events.emit('session.created', session);
    return session;
  }

  /** By id or by unique name. */
  async get(idOrName: string): Promise<Session | undefined> {
    if (typeof idOrName !== 'string' || idOrName.length === 0) {
      throw new ValidationError(
        'MISSING_FIELD',
        'A session id or name is required.',
        'id',
        idOrName,
      );
    }
    const session = (await this.store.get(idOrName)) ?? (await this.store.getByName(idOrName));
    if (session) this.remember(session);
    return session;
  }

  async require(idOrName: string): Promise<Session> {
    const session = await this.get(idOrName);
    if (!session) {
      throw new ValidationError(
        'INVALID_INPUT',
        `No session with id or name "${idOrName}".`,
        'id',
        idOrName,
      );
    }
    return session;
  }

  /** typeOf from memory only, without a promise (the bus's publish path); undefined when not cached. */
  knownType(idOrName: string): { id: string; type: SessionType } | undefined {
    const id = this.nameCache.get(idOrName) ?? idOrName;
    const type = this.typeCache.get(id);
    return type && { id, type };
  }

  /** The type of a session by id or name, from memory when known. */
  async typeOf(idOrName: string): Promise<{ id: string; type: SessionType } | undefined> {
    const id = this.nameCache.get(idOrName) ?? idOrName;
    const type = this.typeCache.get(id);
    if (type) return { id, type };
    const session = await this.get(idOrName);
    return session && { id: session.id, type: session.type };
  }

  /** The other known names of a session (its id for a name, its name for an id); [] if unknown. */
  aliasesOf(idOrName: string): string[] {
    const id = this.nameCache.get(idOrName);
    if (id) return [id];
    const name = this.idToName.get(idOrName);
    return name ? [name] : [];
  }

  /**
   * Loads every session's id, name and type into memory (at start-up, and after a restore
   * replaced the sessions): what was cached before goes, so a session the restore removed can no
   * longer send and its name is free again.
   */
  async prime(): Promise<void> {
    const sessions = await this.store.list({});
    this.typeCache.clear();
    this.nameCache.clear();
    this.idToName.clear();
    for (const session of sessions) this.remember(session);
  }

  async list(query?: SessionListQuery): Promise<Session[]> {
    const parsed = validate(sessionListSchema, query, 'session query');
    const statuses = parsed?.status === undefined ? undefined : [parsed.status].flat();
    return this.store.list({ type: parsed?.type, statuses });
  }

  async update(idOrName: string, input: SessionUpdateInput): Promise<Session> {
    const parsed = validate(sessionUpdateSchema, input, 'session update');
    const { reason, ...fields } = parsed;
    const change: SessionChange = { ...fields };
    if (parsed.status === 'error' && reason) change.error = reason;
    return this.apply(idOrName, change, reason ?? null);
  }

  setStatus(idOrName: string, status: SessionStatus, reason?: string): Promise<Session> {
    return this.update(idOrName, reason === undefined ? { status } : { status, reason });
  }

  terminate(idOrName: string, reason = 'terminated by request'): Promise<Session> {
    return this.update(idOrName, { status: 'terminated', reason });
  }

  async heartbeat(idOrName: string): Promise<Session> {
    return this.apply(idOrName, { lastHeartbeatAt: this.options.now() }, null, true);
  }

  async history(idOrName: string): Promise<SessionHistoryEntry[]> {
    const session = await this.require(idOrName);
    const rows = await this.store.history(session.id);
    return rows.map((r) => ({
      at: r.at,
      kind: r.kind,
      from: r.fromStatus,
      to: r.toStatus,
      reason: r.reason,
    }));
  }

  private async apply(
    idOrName: string,
    change: SessionChange,
    reason: string | null,
    quiet = false,
  ): Promise<Session> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.require(idOrName);
      const to = change.status;
      if (to !== undefined && !canTransition(current.status, to)) {
        const allowed = SESSION_TRANSITIONS[current.status];
        throw new ValidationError(
          'INVALID_INPUT',
          `Illegal session status move ${current.status} → ${to} for "${current.name}". ` +
            (allowed.length
              ? `From ${current.status} a session may move to: ${allowed.join(', ')}.`
              : `${current.status} is final.`),
          'status',
          to,
          { details: { from: current.status, to, sessionId: current.id } },
        );
      }
      const moved = to !== undefined;
      const updated = await this.store.update(current.id, current.status, change, {
        at: this.options.now(),
        kind: moved ? 'status' : 'updated',
        fromStatus: moved ? current.status : null,
        toStatus: moved ? to : null,
        reason,
      });
      if (!updated) continue;
      this.remember(updated, current.name);
      if (!quiet) this.events.emit('session.updated', updated);
      if (moved) {
        this.events.emit('session.status', { session: updated, from: current.status, to, reason });
        if (to === 'error') this.events.emit('session.error', { session: updated, error: reason });
        if (to === 'terminated')
          this.events.emit('session.terminated', { session: updated, reason });
      }
      return updated;
    }
    throw new OrchestrationError(
      'QUERY_FAILED',
      `Session "${idOrName}" kept changing while it was being updated; try again.`,
      { recoverable: true },
    );
  }

  private remember(session: Session, previousName?: string): void {
    if (previousName && previousName !== session.name) this.nameCache.delete(previousName);
    this.typeCache.set(session.id, session.type);
    this.nameCache.set(session.name, session.id);
    this.idToName.set(session.id, session.name);
  }
}
