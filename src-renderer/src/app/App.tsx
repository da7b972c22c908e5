/** The studio layout: header, palette, canvas, properties/inspector, and the bottom panel. */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useState, type DragEvent } from 'react';
import { loadCheckpoints } from '../stores/checkpoints';
import { importFromFile } from '../stores/files';
import { CheckpointDialogs } from './Checkpoints';
import { ShortcutsDialog } from './ShortcutsDialog';
import { FileDialogs } from './FileDialogs';
import { Canvas } from '../canvas/Canvas';
import { addSessionAt } from '../stores/editor';
import { loadWorkflows, useWorkflows } from '../stores/workflows';
import { BottomPanel } from './BottomPanel';
import { Header } from './Header';
import { Notice } from './Notice';
import { RecoveryNotice } from '../recovery/RecoveryNotice';
import { Palette } from './Palette';
import { SidePanel } from './SidePanel';
import { Welcome } from './Welcome';
import { useShortcuts } from './shortcuts';
import { Toasts } from '../notifications/Toasts';
import { watchPermissions } from '../notifications/store';

export function App() {
  const loaded = useWorkflows((s) => s.loaded);
  const currentId = useWorkflows((s) => s.currentId);
  useShortcuts();
  const [dropping, setDropping] = useState(false);
  useEffect(() => {
    void loadWorkflows().then(() => loadCheckpoints());
  }, []);
  useEffect(watchPermissions, []);
  // A workflow file dropped anywhere on the canvas area is imported (palette drags pass through).
  const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDrop = (e: DragEvent) => {
    setDropping(false);
    if (!hasFiles(e)) return;
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (file) void importFromFile(file);
  };
  return (
    <ReactFlowProvider>
      <div className="app">
        <Header />
        <div className="workspace">
          <Palette disabled={!currentId} />
          <main
            className={`main${dropping ? ' dropping' : ''}`}
            onDragOver={onDragOver}
            onDragLeave={() => setDropping(false)}
            onDrop={onDrop}
          >
            {currentId ? <Canvas onAdd={addSessionAt} /> : loaded ? <Welcome /> : <Loading />}
            <Notice />
            <RecoveryNotice />
            <FileDialogs />
          </main>
          <SidePanel />
        </div>
        <BottomPanel />
        <CheckpointDialogs />
        <ShortcutsDialog />
        <Toasts />
      </div>
    </ReactFlowProvider>
  );
}

function Loading() {
  return (
    <div className="empty" role="status">
      Connecting to the engine…
    </div>
  );
}
