/** What the engine recovered when it started (engine.info), until the person dismisses it. */
import { create } from 'zustand';
import type { EngineRecovery } from '../../../src-shared/contract';

export const useRecovery = create<{ recovery: EngineRecovery | null }>(() => ({ recovery: null }));

export const noteRecovery = (recovery: EngineRecovery | undefined) =>
  useRecovery.setState({ recovery: recovery ?? null });
export const dismissRecovery = () => useRecovery.setState({ recovery: null });
