/** Loads each session's reports of a run and rolls their tokens and cost up (refreshed while live). */
import { useEffect, useState } from 'react';
import type { Message } from '../../../src-shared/types';
import type { Run, WorkflowSession } from '../../../src-shared/workflow';
import { api, errorText } from '../api';
import { rollUp, sessionUsage, type RunUsage } from './usage';

const REFRESH_MS = 2000;
const LIVE = new Set(['pending', 'running']);

async function reportsOf(engineId: string): Promise<Message[]> {
  const [done, progress] = await Promise.all([
    api().call('bus.list', { sender: engineId, type: 'COMPLETION_NOTIFICATION', limit: 1000 }),
    api().call('bus.list', { sender: engineId, type: 'PROGRESS_REPORT', limit: 1000 }),
  ]);
  return [...done, ...progress];
}

export function useRunUsage(
  run: Run | undefined,
  sessions: readonly WorkflowSession[],
): { usage: RunUsage | null; error: string | null } {
  const [state, setState] = useState<{ usage: RunUsage | null; error: string | null }>({
    usage: null,
    error: null,
  });
  const runId = run?.id;
  const live = run ? LIVE.has(run.status) : false;
  const map = run?.sessions;
  useEffect(() => {
    if (!runId || !map) {
      setState({ usage: null, error: null });
      return;
    }
    let stop = false;
    const load = async () => {
      try {
        const rows = await Promise.all(
          sessions
            .filter((s) => map[s.id] && s.type !== 'observer')
            .map(async (s) => ({
              id: s.id,
              name: s.name,
              type: s.type,
              usage: sessionUsage(await reportsOf(map[s.id]!)),
            })),
        );
        if (!stop) setState({ usage: rollUp(rows), error: null });
      } catch (error) {
        if (!stop) setState((s) => ({ ...s, error: errorText(error) }));
      }
    };
    void load();
    const timer = live ? setInterval(() => void load(), REFRESH_MS) : undefined;
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [runId, map, sessions, live]);
  return state;
}
