/** Light/dark theme: follows prefers-color-scheme until the user picks one (remembered). */
import { create } from 'zustand';

export type ThemeMode = 'system' | 'light' | 'dark';
interface ThemeState {
  mode: ThemeMode;
  resolved: 'light' | 'dark';
}

const KEY = 'orchestration-studio.theme';
const media = () => window.matchMedia?.('(prefers-color-scheme: dark)');
const systemTheme = (): 'light' | 'dark' => (media()?.matches ? 'dark' : 'light');
const stored = (): ThemeMode => {
  const v = window.localStorage?.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
};

export const useTheme = create<ThemeState>(() => {
  const mode = stored();
  return { mode, resolved: mode === 'system' ? systemTheme() : mode };
});

function apply(): void {
  document.documentElement.dataset.theme = useTheme.getState().resolved;
}

export function initTheme(): void {
  apply();
  media()?.addEventListener('change', () => {
    if (useTheme.getState().mode === 'system') {
      useTheme.setState({ resolved: systemTheme() });
      apply();
    }
  });
}

/** Cycles system → the opposite of the current look → back to system. */
export function toggleTheme(): void {
  const { resolved } = useTheme.getState();
  const next: ThemeMode = resolved === 'dark' ? 'light' : 'dark';
  window.localStorage?.setItem(KEY, next);
  useTheme.setState({ mode: next, resolved: next });
  apply();
}
