/** Live run state for the canvas, log and inspector; written only by the live controller. */
import { create } from 'zustand';
import type { MessageType, SessionStatus } from '../../../src-shared/domain';
import type { Run } from '../../../src-shared/workflow';
import type { FlowState } from '../live/flow';

export type LogState = 'published' | 'delivered' | 'acknowledged' | 'failed' | 'dead';

export interface LogEntry {
  id: string;
  at: number;
  type: MessageType;
  /** Workflow session ids where known, else the engine's id/name. */
  sender: string;
  receiver: string | null;
  runId: string | null;
  state: LogState;
  reason: string | null;
}

export interface NodeLive {
  status: SessionStatus;
  error: string | null;
  /** Messages this session sent / received in the current view. */
  sent: number;
  received: number;
}

export interface RunnerLog {
  at: number;
  sessionId: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
}

export interface LiveState {
  flows: FlowState;
  nodes: Readonly<Record<string, NodeLive>>;
  log: readonly LogEntry[];
  logs: readonly RunnerLog[];
  runs: readonly Run[];
  activeRunId: string | null;
  connected: boolean;
}

export const useLive = create<LiveState>(() => ({
  flows: {},
  nodes: {},
  log: [],
  logs: [],
  runs: [],
  activeRunId: null,
  connected: false,
}));

export const LOG_LIMIT = 500;
