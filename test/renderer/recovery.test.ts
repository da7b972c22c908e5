import { describe, expect, it } from 'vitest';
import { recoveryText } from '../../src-renderer/src/recovery/text';

describe('recovery banner text', () => {
  it('says nothing after a clean start', () => {
    expect(recoveryText(null)).toBeNull();
    expect(recoveryText({ deadProcesses: 0, releasedLeases: 0, interruptedRuns: 0 })).toBeNull();
    // A process found dead that held nothing: nothing the person has to act on.
    expect(recoveryText({ deadProcesses: 1, releasedLeases: 0, interruptedRuns: 0 })).toBeNull();
  });

  it('names interrupted runs and redelivered messages, in the singular and the plural', () => {
    expect(recoveryText({ deadProcesses: 1, releasedLeases: 1, interruptedRuns: 1 })).toBe(
      'The engine stopped unexpectedly last time and recovered: 1 run was interrupted and waits ' +
        'in Run history to be resumed; 1 message that was being delivered is queued to be ' +
        'delivered again. Nothing acknowledged was lost.',
    );
    const many = recoveryText({ deadProcesses: 2, releasedLeases: 14, interruptedRuns: 3 })!;
    expect(many).toContain('3 runs were interrupted and wait in Run history');
    expect(many).toContain('14 messages that were being delivered are queued');
    expect(recoveryText({ deadProcesses: 1, releasedLeases: 5, interruptedRuns: 0 })).not.toMatch(
      /run/,
    );
  });
});
