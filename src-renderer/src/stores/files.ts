/**
 * Workflow files in the app: Export (a download named after the workflow), Import (file picker or
 * a file dropped on the canvas) with the problems list, the name-clash question, and "Trust and
 * run" after an import. Importing never runs anything.
 */
import { create } from 'zustand';
import type { FileProblem, FileWarning, WhatItRuns } from '../../../src-shared/contract';
import { isOrchestrationError } from '../../../src-shared/errors';
import { api, errorText } from '../api';
import { fitViewNow } from '../app/actions';
import { flushSave, selectItems, setNotice, useEditor } from './editor';
import { loadWorkflowList, selectWorkflow } from './workflows';

export interface ProblemReport {
  fileName: string;
  message: string;
  problems: FileProblem[];
  /** The file as JSON (when it parses), to show what a problem points at. */
  doc: unknown;
  /** The problem the user picked last. */
  picked: number | null;
}

export interface ClashQuestion {
  fileName: string;
  text: string;
  name: string;
  suggestedName: string;
}

export interface TrustQuestion {
  workflowId: string;
  name: string;
  contentHash: string;
  whatItRuns: WhatItRuns[];
  warnings: FileWarning[];
  migratedFrom?: number;
  /** Why we ask: right after an import, or because a run was refused. */
  reason: 'imported' | 'run-refused';
}

interface FilesState {
  problems: ProblemReport | null;
  clash: ClashQuestion | null;
  trust: TrustQuestion | null;
  busy: boolean;
}

export const useFiles = create<FilesState>(() => ({
  problems: null,
  clash: null,
  trust: null,
  busy: false,
}));
const set = useFiles.setState;

/** Hands the text to the browser as a download (works in Electron too: it asks where to save). */
function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportCurrent(): Promise<void> {
  const id = useEditor.getState().workflowId;
  if (!id) return;
  try {
    await flushSave();
    const file = await api().call('workflows.exportFile', { id });
    download(file.text, file.fileName);
    setNotice(
      file.removed.length
        ? `Exported ${file.fileName}; left out secret values at ${file.removed.join(', ')}.`
        : `Exported ${file.fileName}.`,
      'news',
    );
  } catch (error) {
    setNotice(`Could not export: ${errorText(error)}`);
  }
}

function parseLoosely(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Reads a picked or dropped file and imports it. */
export async function importFromFile(file: File): Promise<void> {
  let text: string;
  try {
    text = await file.text();
  } catch (error) {
    setNotice(`Could not read ${file.name}: ${errorText(error)}`);
    return;
  }
  await importText(text, file.name);
}

export async function importText(
  text: string,
  fileName: string,
  options: { onNameClash?: 'rename' | 'replace'; name?: string } = {},
): Promise<void> {
  set({ busy: true, problems: null, clash: null });
  try {
    const result = await api().call('workflows.importFile', {
      text,
      source: fileName,
      ...options,
    });
    await loadWorkflowList();
    await selectWorkflow(result.workflow.id);
    setTimeout(fitViewNow, 80);
    const name = result.workflow.definition.name;
    const notes = [
      result.replaced
        ? `Replaced "${name}" with ${fileName}.`
        : `Imported ${fileName} as "${name}".`,
    ];
    if (result.migratedFrom !== undefined) {
      notes.push(`The file was format version ${result.migratedFrom}; it was migrated.`);
    }
    setNotice(notes.join(' '), 'news');
    if (!result.trusted) {
      set({
        trust: {
          workflowId: result.workflow.id,
          name,
          contentHash: result.contentHash,
          whatItRuns: result.whatItRuns,
          warnings: result.warnings,
          ...(result.migratedFrom !== undefined ? { migratedFrom: result.migratedFrom } : {}),
          reason: 'imported',
        },
      });
    }
  } catch (error) {
    if (isOrchestrationError(error) && error.code === 'DUPLICATE_ENTRY') {
      const d = error.details;
      set({
        clash: {
          fileName,
          text,
          name: String(d.name ?? ''),
          suggestedName: String(d.suggestedName ?? ''),
        },
      });
    } else if (isOrchestrationError(error) && Array.isArray(error.details.problems)) {
      set({
        problems: {
          fileName,
          message: error.message,
          problems: error.details.problems as FileProblem[],
          doc: parseLoosely(text),
          picked: null,
        },
      });
    } else {
      set({
        problems: {
          fileName,
          message: errorText(error),
          problems: [{ path: '', rule: 'engine-rule', message: errorText(error) }],
          doc: null,
          picked: null,
        },
      });
    }
  } finally {
    set({ busy: false });
  }
}

export function resolveClash(mode: 'rename' | 'replace' | 'cancel'): void {
  const clash = useFiles.getState().clash;
  set({ clash: null });
  if (!clash || mode === 'cancel') return;
  void importText(
    clash.text,
    clash.fileName,
    mode === 'rename'
      ? { onNameClash: 'rename', name: clash.suggestedName }
      : { onNameClash: 'replace', name: clash.name },
  );
}

/** Selects the node or edge a problem is about (when it is on the canvas) and marks it picked. */
export function pickProblem(index: number): void {
  const report = useFiles.getState().problems;
  const problem = report?.problems[index];
  if (!report || !problem) return;
  set({ problems: { ...report, picked: index } });
  const s = useEditor.getState();
  const node = problem.sessionId && s.nodes.find((n) => n.id === problem.sessionId);
  const edge = problem.edgeId && s.edges.find((e) => e.id === problem.edgeId);
  if (node) selectItems([node.id], []);
  else if (edge) selectItems([], [edge.id]);
}

/** The JSON value at a JSON Pointer (RFC 6901), for showing what a problem points at. */
export function valueAtPointer(doc: unknown, pointer: string): unknown {
  if (!pointer) return doc;
  let at: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export function dismissProblems(): void {
  set({ problems: null });
}

/** A run was refused because the workflow is not trusted: ask, with what it would run. */
export function askTrust(question: TrustQuestion): void {
  set({ trust: question });
}

export function dismissTrust(): void {
  set({ trust: null });
}

/** Trusts exactly the content the person saw, then starts a run. */
export async function trustAndRun(start: () => Promise<void>): Promise<void> {
  const q = useFiles.getState().trust;
  if (!q) return;
  set({ busy: true });
  try {
    await api().call('workflows.trust', { id: q.workflowId, contentHash: q.contentHash });
    set({ trust: null });
    if (useEditor.getState().workflowId !== q.workflowId) await selectWorkflow(q.workflowId);
    await start();
  } catch (error) {
    setNotice(`Could not trust the workflow: ${errorText(error)}`);
  } finally {
    set({ busy: false });
  }
}
