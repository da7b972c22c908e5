/** App-level actions that span stores and the engine. */
import { isOrchestrationError } from '../../../src-shared/errors';
import type { WhatItRuns } from '../../../src-shared/contract';
import { api, errorText } from '../api';
import { askTrust } from '../stores/files';
import { autoLayout } from '../editor/layout';
import { noteRun } from '../live/controller';
import { docOf, flushSave, moveTo, setNotice, useEditor } from '../stores/editor';
import { useLive } from '../stores/live';
import { deniedNow } from '../security/store';

let fitView: (() => void) | null = null;
export function registerFitView(fn: (() => void) | null): void {
  fitView = fn;
}

/** Fits the canvas to its nodes (when a canvas is mounted). */
export function fitViewNow(): void {
  fitView?.();
}

export async function autoLayoutNow(): Promise<void> {
  const doc = docOf(useEditor.getState());
  if (doc.sessions.length === 0) return;
  try {
    moveTo(await autoLayout(doc));
    // Fit once React Flow has rendered the new positions.
    setTimeout(() => fitView?.(), 50);
  } catch (error) {
    setNotice(`Auto layout failed: ${errorText(error)}`);
  }
}

/** Parses the run input field: JSON, or plain text taken as a string. Empty = no input. */
export function parseInput(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

export async function startRun(inputText: string): Promise<void> {
  const workflowId = useEditor.getState().workflowId;
  if (!workflowId) return;
  // A shortcut reaches here too; say why instead of asking the engine for a FORBIDDEN.
  const refused = deniedNow('runs.start');
  if (refused) return setNotice(refused);
  try {
    await flushSave();
    const input = parseInput(inputText);
    const run = await api().call(
      'runs.start',
      input === undefined ? { workflowId } : { workflowId, input },
    );
    noteRun(run);
    useLive.setState({ activeRunId: run.id });
    setNotice(null);
  } catch (error) {
    const d = isOrchestrationError(error) && error.code === 'FORBIDDEN' ? error.details : null;
    if (d && typeof d.contentHash === 'string' && Array.isArray(d.whatItRuns)) {
      // An imported workflow nobody has trusted yet: show what it would run and ask.
      askTrust({
        workflowId,
        name: docOf(useEditor.getState()).name,
        contentHash: d.contentHash,
        whatItRuns: d.whatItRuns as WhatItRuns[],
        warnings: [],
        reason: 'run-refused',
      });
      return;
    }
    setNotice(`Could not start the run: ${errorText(error)}`);
  }
}

export async function stopRun(): Promise<void> {
  const { activeRunId, runs } = useLive.getState();
  const id = activeRunId ?? runs.find((r) => r.status === 'running' || r.status === 'pending')?.id;
  if (!id) return;
  const refused = deniedNow('runs.cancel');
  if (refused) return setNotice(refused);
  try {
    const run = await api().call('runs.cancel', { id });
    if (run) noteRun(run);
  } catch (error) {
    setNotice(`Could not stop the run: ${errorText(error)}`);
  }
}
