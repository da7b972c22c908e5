/**
 * Requests waiting for a person: an agent's tool permission (canUseTool) or a question the
 * director asks. Each waits until answered (permissions.answer) or withdrawn (its task aborted,
 * the run cancelled). Appearing and ending are announced, so a client can show them live.
 */
import { OrchestrationError, ValidationError } from '../../../../src-shared/errors';
import { newId } from '../../ids';
import type { PermissionRequest } from '../../../../src-shared/contract';

/** The contract's shape: what permissions.list answers and the permission events carry. */
export type { PermissionRequest };

export interface PermissionAnswer {
  decision: 'allow' | 'deny';
  /** Why it was denied, or the answer to a question. */
  message?: string;
  /** The tool input to use instead (allow only). */
  updatedInput?: Record<string, unknown>;
}

export type PermissionOutcome = 'allowed' | 'denied' | 'withdrawn';

export interface PermissionEvents {
  requested(request: PermissionRequest): void;
  resolved(request: PermissionRequest, outcome: PermissionOutcome): void;
}

interface Entry {
  request: PermissionRequest;
  settle: (answer: PermissionAnswer) => void;
}

export class PermissionDesk {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly events: PermissionEvents,
  ) {}

  /**
   * Lists a request; `answer` settles with the person's answer, or rejects with the abort reason
   * when `signal` aborts first (the request is withdrawn).
   */
  ask(
    request: Omit<PermissionRequest, 'requestId' | 'since'>,
    signal: AbortSignal,
  ): { request: PermissionRequest; answer: Promise<PermissionAnswer> } {
    const full: PermissionRequest = { ...request, requestId: newId(), since: this.now() };
    const answer = new Promise<PermissionAnswer>((resolve, reject) => {
      const withdraw = (): void => {
        if (!this.entries.delete(full.requestId)) return;
        this.events.resolved(full, 'withdrawn');
        reject(
          signal.reason instanceof OrchestrationError
            ? signal.reason
            : new OrchestrationError('INTERNAL_ERROR', 'The request to the person was withdrawn', {
                severity: 'low',
                details: { cancelled: true, requestId: full.requestId },
              }),
        );
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', withdraw, { once: true });
      this.entries.set(full.requestId, {
        request: full,
        settle: (given) => {
          signal.removeEventListener('abort', withdraw);
          this.events.resolved(full, given.decision === 'allow' ? 'allowed' : 'denied');
          resolve(given);
        },
      });
      this.events.requested(full);
    });
    return { request: full, answer };
  }

  /** Pending requests, oldest first; optionally only one run's. */
  list(runId?: string): PermissionRequest[] {
    return [...this.entries.values()]
      .map((e) => e.request)
      .filter((r) => runId === undefined || r.runId === runId);
  }

  answer(requestId: string, answer: PermissionAnswer): void {
    const entry = this.entries.get(requestId);
    if (!entry) {
      throw new ValidationError(
        'INVALID_INPUT',
        `No request "${requestId}" is waiting for an answer (answered already, or its run ended).`,
        'requestId',
        requestId,
      );
    }
    this.entries.delete(requestId);
    entry.settle(answer);
  }
}
