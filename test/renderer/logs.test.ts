import { describe, expect, it } from 'vitest';
import { logsOf, type RunnerLog } from '../../src-renderer/src/stores/live';

const line = (sessionId: string, engineId: string, text: string): RunnerLog => ({
  at: 1,
  sessionId,
  engineId,
  level: 'info',
  text,
});

describe('a node’s log lines in the inspector', () => {
  const logs = [
    line('research', 'run1-research', 'first run'),
    line('writing', 'run2-writing', 'another node'),
    line('research', 'run2-research', 'second run'),
  ];

  it('are the inspected run’s only', () => {
    expect(logsOf(logs, 'research', 'run2-research').map((l) => l.text)).toEqual(['second run']);
  });

  it('are every run’s while no run of the node is known', () => {
    expect(logsOf(logs, 'research', undefined).map((l) => l.text)).toEqual([
      'first run',
      'second run',
    ]);
  });
});
