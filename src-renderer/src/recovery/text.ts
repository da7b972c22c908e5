/** What an engine's start-up recovered, as one sentence for the banner (null: nothing to say). */
import type { EngineRecovery } from '../../../src-shared/contract';
import { plural } from '../../../src-shared/text';

export function recoveryText(r: EngineRecovery | null | undefined): string | null {
  if (!r || (r.interruptedRuns === 0 && r.releasedLeases === 0)) return null;
  const parts: string[] = [];
  if (r.interruptedRuns > 0) {
    parts.push(
      `${plural(r.interruptedRuns, 'run was', 'runs were')} interrupted and ${r.interruptedRuns === 1 ? 'waits' : 'wait'} in Run history to be resumed`,
    );
  }
  if (r.releasedLeases > 0) {
    parts.push(
      `${plural(r.releasedLeases, 'message that was', 'messages that were')} being delivered ${r.releasedLeases === 1 ? 'is' : 'are'} queued to be delivered again`,
    );
  }
  return `The engine stopped unexpectedly last time and recovered: ${parts.join('; ')}. Nothing acknowledged was lost.`;
}
