/** A banner after a start that recovered from a crash: what came back and where to resume it. */
import { setBottomTab } from '../stores/ui';
import './recovery.css';
import { dismissRecovery, useRecovery } from './store';
import { recoveryText } from './text';

export function RecoveryNotice() {
  const recovery = useRecovery((s) => s.recovery);
  const text = recoveryText(recovery);
  if (!text) return null;
  return (
    <div className="notice recovery" role="status" aria-label="Recovered after an unexpected stop">
      <span>{text}</span>
      {recovery!.interruptedRuns > 0 && (
        <button onClick={() => setBottomTab('runs')}>Open Run history</button>
      )}
      <button aria-label="Dismiss recovery notice" onClick={dismissRecovery}>
        ×
      </button>
    </div>
  );
}
