/**
 * What the RPC layer serves: the engine facade (sessions, bus, workflows, runs, stream,
 * checkpoints, files).
 */
import type { Engine } from '../engine';

export type ServedEngine = Pick<
  Engine,
  | 'apiVersion'
  | 'recovery'
  | 'sessions'
  | 'bus'
  | 'workflows'
  | 'runs'
  | 'stream'
  | 'checkpoints'
  | 'files'
> &
  Partial<Pick<Engine, 'permissions'>>;

/** The optional services engine.info advertises (all present in this build). */
export const FEATURES = ['workflows', 'runs', 'stream', 'files', 'checkpoints'] as const;

export type StreamService = ServedEngine['stream'];
