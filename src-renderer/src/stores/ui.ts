/**
 * Small shared UI state: the bottom panel's tab, the side panel's tab (null: the default for the
 * situation), the run input (Trust and run uses it too) and whether the shortcuts list is open.
 */
import { create } from 'zustand';

export type BottomTab = 'log' | 'runs' | 'checkpoints';
export type SideTab = 'inspector' | 'properties';

interface UiState {
  bottomTab: BottomTab;
  sideTab: SideTab | null;
  runInput: string;
  shortcutsOpen: boolean;
}

export const DEFAULT_RUN_INPUT = '{"task": "hello"}';

export const useUi = create<UiState>(() => ({
  bottomTab: 'log',
  sideTab: null,
  runInput: DEFAULT_RUN_INPUT,
  shortcutsOpen: false,
}));

export const setBottomTab = (bottomTab: BottomTab) => useUi.setState({ bottomTab });
export const setSideTab = (sideTab: SideTab) => useUi.setState({ sideTab });
export const setRunInput = (runInput: string) => useUi.setState({ runInput });
export const setShortcutsOpen = (shortcutsOpen: boolean) => useUi.setState({ shortcutsOpen });
