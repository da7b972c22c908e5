/** Public shapes the engine returns; the same on every transport. Times are epoch milliseconds. */
import type { MessageType, SessionStatus, SessionType } from './domain';

export interface Session {
  id: string;
  type: SessionType;
  name: string;
  workspace: string | null;
  status: SessionStatus;
  state: Record<string, unknown>;
  metadata: Record<string, unknown>;
  timeoutMs: number;
  createdAt: number;
  updatedAt: number;
  lastHeartbeatAt: number | null;
  error: string | null;
}

export interface SessionHistoryEntry {
  at: number;
  kind: 'created' | 'status' | 'updated';
  from: SessionStatus | null;
  to: SessionStatus | null;
  reason: string | null;
}

export type MessageState = 'pending' | 'leased' | 'acknowledged' | 'dead';

export interface MessageMetadata {
  tags?: string[];
  correlationId?: string;
  [key: string]: unknown;
}

export interface Message {
  id: string;
  type: MessageType;
  priority: number;
  sender: string;
  /** As addressed: a session id or name; null for a broadcast. */
  receiver: string | null;
  /** The session the address resolved to, once it exists. */
  receiverId: string | null;
  timestamp: number;
  content: unknown;
  metadata: MessageMetadata;
  state: MessageState;
  attempts: number;
  maxRetries: number;
  delivered: boolean;
  failed: boolean;
  failureReason: string | null;
  requiresResponse: boolean;
  responseDeadline: number | null;
  availableAt: number;
  expiresAt: number | null;
  deliveredAt: number | null;
  acknowledgedAt: number | null;
}

export interface BusStats {
  published: number;
  delivered: number;
  acknowledged: number;
  failed: number;
  pending: number;
  inFlight: number;
  averageLatencyMs: number;
  queueSize: number;
  maxQueueSize: number;
  subscribers: number;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface BusHealth {
  status: HealthStatus;
  queueSize: number;
  maxQueueSize: number;
  /** queueSize / maxQueueSize, 0–1. */
  fill: number;
  accepting: boolean;
}
