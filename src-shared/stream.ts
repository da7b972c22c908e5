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

export type StreamEventBody =
  | { kind: 'message.published'; message: StreamMessageSummary }
  | { kind: 'message.delivered'; id: string; runId: string | null }
  | { kind: 'message.acknowledged'; id: string; runId: string | null }
  | { kind: 'message.failed'; id: string; runId: string | null; reason: string }
  | { kind: 'message.dead'; id: string; runId: string | null; reason: string }
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
  | {
      kind: 'runner.log';
      sessionId: string;
      runId: string | null;
      level: 'debug' | 'info' | 'warn' | 'error';
      text: string;
    };

export type StreamEvent = StreamEventBody & { seq: number; at: number };
export type StreamEventKind = StreamEventBody['kind'];
