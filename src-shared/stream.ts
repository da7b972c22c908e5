/**
 * The engine's ordered event stream, as clients (canvas, SDK, CLI) see it. Every event has a
 * sequence number; a client that reconnects asks for everything after the last one it saw.
 */
import type { MessageType, SessionStatus } from './domain';
import type { RunStatus } from './workflow';

export interface StreamMessageSummary {
  id: string;
  type: MessageType;
  priority: number;
  sender: string;
  receiver: string | null;
  receiverId: string | null;
  runId: string | null;
}

/**
 * Where a failed or dead message was going (engine session ids), when the stream still knew it:
 * a viewer that got only a digest of the message's publication can still mark its edge.
 */
export interface MessageRoute {
  sender?: string;
  receiver?: string | null;
}

export type StreamEventBody =
  | { kind: 'message.published'; message: StreamMessageSummary }
  | { kind: 'message.delivered'; id: string; runId: string | null }
  | { kind: 'message.acknowledged'; id: string; runId: string | null }
  | ({ kind: 'message.failed'; id: string; runId: string | null; reason: string } & MessageRoute)
  | ({ kind: 'message.dead'; id: string; runId: string | null; reason: string } & MessageRoute)
  | { kind: 'session.created'; sessionId: string; name: string; runId: string | null }
  | {
      kind: 'session.status';
      sessionId: string;
      runId: string | null;
      from: SessionStatus;
      to: SessionStatus;
      reason: string | null;
    }
  | { kind: 'run.status'; runId: string; status: RunStatus; error: string | null }
  | { kind: 'run.deleted'; runId: string }
  /** A Claude Code agent waits for a person (permissions.list / permissions.answer). */
  | {
      kind: 'permission.requested';
      requestId: string;
      runId: string | null;
      sessionId: string;
      request: 'tool' | 'question';
      toolName: string | null;
      question: string | null;
    }
  | {
      kind: 'permission.resolved';
      requestId: string;
      runId: string | null;
      sessionId: string;
      outcome: 'allowed' | 'denied' | 'withdrawn';
    }
  | {
      kind: 'runner.log';
      sessionId: string;
      runId: string | null;
      level: 'debug' | 'info' | 'warn' | 'error';
      text: string;
    };

export type StreamEvent = StreamEventBody & { seq: number; at: number };
export type StreamEventKind = StreamEventBody['kind'];

/**
 * What a viewer subscribed with `digest: true` gets instead of the three message events
 * (published, delivered, acknowledged) of every message: one digest per frame with exact
 * counts per route, the newest few messages for the log, and state changes of messages it was
 * sampled. Every other event (failures, sessions, runs, logs) still comes in full, and full
 * events stay available from `events.since` and the bus.
 */
export interface TrafficDigest {
  /** Exact numbers of message.published / delivered / acknowledged events folded in. */
  published: number;
  delivered: number;
  acknowledged: number;
  /** Engine session ids or names, and run ids, that `routes` refer to by index. */
  names: (string | null)[];
  runs: (string | null)[];
  /** Messages published per route: [run index, sender index, receiver index, type, count]. */
  routes: TrafficRoute[];
  /** The newest messages published (at most DIGEST_SAMPLE), oldest first. */
  sample: SampledMessage[];
  /** Later states of sampled messages, in order: [message id, state]. */
  states: [string, 'delivered' | 'acknowledged'][];
}

export type TrafficRoute = [
  run: number,
  sender: number,
  receiver: number,
  type: MessageType,
  count: number,
];

export interface SampledMessage extends StreamMessageSummary {
  seq: number;
  at: number;
  /** Its state at the end of the frame. */
  state: 'published' | 'delivered' | 'acknowledged';
}

/** Messages sampled per digest frame for the log (a frame holds ~16 ms of traffic). */
export const DIGEST_SAMPLE = 32;
/** Sampled message ids a connection follows for state changes (about a log's worth). */
export const DIGEST_TRACKED = 1_000;
