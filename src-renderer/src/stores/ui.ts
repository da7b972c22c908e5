/** Small shared UI state: the bottom panel's tab and the run input (Trust and run uses it too). */
import { create } from 'zustand';

export type BottomTab = 'log' | 'runs' | 'checkpoints';

interface UiState {
  bottomTab: BottomTab;
  runInput: string;
}

export const DEFAULT_RUN_INPUT = '{"task": "hello"}';

export const useUi = create<UiState>(() => ({ bottomTab: 'log', runInput: DEFAULT_RUN_INPUT }));

export const setBottomTab = (bottomTab: BottomTab) => useUi.setState({ bottomTab });
export const setRunInput = (runInput: string) => useUi.setState({ runInput });
