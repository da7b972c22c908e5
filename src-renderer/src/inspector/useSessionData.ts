/** Loads what the inspector shows for a canvas session from the engine (refreshed while open). */
import { useEffect, useState } from 'react';
import type { Message, Session, SessionHistoryEntry } from '../../../src-shared/types';
import { api, errorText } from '../api';
import { useLive } from '../stores/live';

export interface SessionData {
  engineId: string | null;
  session: Session | null;
  history: SessionHistoryEntry[];
  inbox: Message[];
  outbox: Message[];
  error: string | null;
}

const EMPTY: SessionData = {
  engineId: null,
  session: null,
  history: [],
  inbox: [],
  outbox: [],
  error: null,
};
const REFRESH_MS = 1000;

export function useSessionData(workflowSessionId: string): [SessionData, () => void] {
  const engineId = useLive((s) => {
    for (const run of s.runs)
      if (run.sessions[workflowSessionId]) return run.sessions[workflowSessionId]!;
    return null;
  });
  const [data, setData] = useState<SessionData>(EMPTY);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    if (!engineId) {
      setData(EMPTY);
      return;
    }
    const load = async () => {
      try {
        const [session, history, inbox, outbox] = await Promise.all([
          api().call('sessions.get', { id: engineId }),
          api().call('sessions.history', { id: engineId }),
          api().call('bus.list', { receiver: engineId, limit: 25 }),
          api().call('bus.list', { sender: engineId, limit: 25 }),
        ]);
        if (!stop) setData({ engineId, session, history, inbox, outbox, error: null });
      } catch (error) {
        if (!stop) setData((d) => ({ ...d, engineId, error: errorText(error) }));
      }
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [engineId, tick]);
  return [data, () => setTick((t) => t + 1)];
}
