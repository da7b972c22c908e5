/** Top bar: workflow picker (list, create, rename, delete), run controls, history, files, theme. */
import { useRef, useState } from 'react';
import { openCreate } from '../stores/checkpoints';
import { exportCurrent, importFromFile, useFiles } from '../stores/files';
import { setBottomTab, setShortcutsOpen } from '../stores/ui';
import { docOf, useEditor } from '../stores/editor';
import {
  createWorkflow,
  deleteWorkflow,
  renameWorkflow,
  selectWorkflow,
  useWorkflows,
} from '../stores/workflows';
import { RunControls } from './RunControls';
import { SecurityBar } from '../security/SecurityBar';
import { useDenied } from '../security/store';
import { toggleTheme, useTheme } from './theme';
import { useLive } from '../stores/live';
import { PendingCount } from '../notifications/PendingCount';

export function Header() {
  const list = useWorkflows((s) => s.list);
  const currentId = useWorkflows((s) => s.currentId);
  const name = useEditor((s) => docOf(s).name);
  const save = useEditor((s) => s.save);
  const theme = useTheme((s) => s.resolved);
  const connected = useLive((s) => s.connected);
  const [renaming, setRenaming] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const importing = useFiles((s) => s.busy);
  const deny = useDenied(); // why this role may not use a control (its title), if it may not

  const onRename = (value: string) => {
    setRenaming(false);
    const trimmed = value.trim();
    if (currentId && trimmed && trimmed !== name) void renameWorkflow(currentId, trimmed);
  };

  return (
    <header className="header">
      <div className="brand" aria-label="Orchestration Studio">
        <span className="logo" aria-hidden="true">
          ◆
        </span>{' '}
        <span className="brand-text">Orchestration Studio</span>
      </div>
      <div className="group" role="group" aria-label="Workflow">
        {renaming && currentId ? (
          <input
            aria-label="Workflow name"
            defaultValue={name}
            autoFocus
            onBlur={(e) => onRename(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onRename(e.currentTarget.value);
              if (e.key === 'Escape') setRenaming(false);
            }}
          />
        ) : (
          <select
            aria-label="Workflow"
            value={currentId ?? ''}
            onChange={(e) => void selectWorkflow(e.currentTarget.value || null)}
          >
            {!currentId && <option value="">No workflow</option>}
            {list.map((w) => (
              <option key={w.id} value={w.id}>
                {w.id === currentId ? name : w.definition.name}
              </option>
            ))}
          </select>
        )}
        <button
          aria-label="New workflow"
          title={deny('workflows.create') ?? 'New workflow'}
          disabled={!!deny('workflows.create')}
          onClick={() => void createWorkflow()}
        >
          + New
        </button>
        <button
          disabled={!currentId || !!deny('workflows.update')}
          title={deny('workflows.update')}
          onClick={() => setRenaming(true)}
        >
          Rename
        </button>
        <button
          aria-label="Delete workflow"
          title={deny('workflows.delete') ?? 'Delete this workflow'}
          disabled={!currentId || !!deny('workflows.delete')}
          onClick={() => {
            if (currentId && window.confirm(`Delete the workflow "${name}"?`)) {
              void deleteWorkflow(currentId);
            }
          }}
        >
          Delete
        </button>
        {currentId && (
          <span className={`save-state ${save}`} role="status" aria-label={`Save state: ${save}`}>
            {save === 'saved' ? 'Saved' : save === 'error' ? 'Not saved' : 'Saving…'}
          </span>
        )}
      </div>
      <RunControls />
      <PendingCount />
      <div className="group files" role="group" aria-label="Checkpoints and files">
        <button
          aria-label="Create checkpoint"
          aria-keyshortcuts="Control+S Meta+S"
          onClick={openCreate}
          disabled={!!deny('checkpoints.create')}
          title={
            deny('checkpoints.create') ??
            'Save the whole orchestration: sessions, messages, runs, workflows (Ctrl+S)'
          }
        >
          Checkpoint
        </button>
        <button
          onClick={() => setBottomTab('checkpoints')}
          disabled={!!deny('checkpoints.restore')}
          title={deny('checkpoints.restore') ?? 'Pick a checkpoint to restore from the timeline'}
        >
          Restore
        </button>
        <button
          disabled={!currentId}
          onClick={() => void exportCurrent()}
          title="Download this workflow as a .orchestration.json file"
        >
          Export
        </button>
        <button
          disabled={importing || !!deny('workflows.importFile')}
          onClick={() => picker.current?.click()}
          title={
            deny('workflows.importFile') ??
            'Import a .orchestration.json file (or drop one on the canvas)'
          }
        >
          Import
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json"
          aria-label="Workflow file to import"
          hidden
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void importFromFile(file);
          }}
        />
      </div>
      <SecurityBar />
      <span
        className={`connection ${connected ? 'up' : 'down'}`}
        role="status"
        aria-label={connected ? 'Connected to the engine' : 'Reconnecting to the engine'}
        title={connected ? 'Connected to the engine' : 'Reconnecting to the engine…'}
      >
        {connected ? '●' : '○'}
      </span>
      <button
        className="theme-toggle"
        onClick={() => setShortcutsOpen(true)}
        aria-label="Keyboard shortcuts"
        aria-keyshortcuts="Shift+?"
        title="Keyboard shortcuts (?)"
      >
        ⌨
      </button>
      <button
        className="theme-toggle"
        onClick={toggleTheme}
        aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
        title="Toggle theme"
      >
        {theme === 'dark' ? '☀' : '☾'}
      </button>
    </header>
  );
}
