/** The studio layout: header, palette, canvas, properties/inspector, and the bottom panel. */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { Canvas } from '../canvas/Canvas';
import { addSessionAt } from '../stores/editor';
import { loadWorkflows, useWorkflows } from '../stores/workflows';
import { BottomPanel } from './BottomPanel';
import { Header } from './Header';
import { Notice } from './Notice';
import { Palette } from './Palette';
import { SidePanel } from './SidePanel';
import { Welcome } from './Welcome';
import { useShortcuts } from './shortcuts';

export function App() {
  const loaded = useWorkflows((s) => s.loaded);
  const currentId = useWorkflows((s) => s.currentId);
  useShortcuts();
  useEffect(() => {
    void loadWorkflows();
  }, []);
  return (
    <ReactFlowProvider>
      <div className="app">
        <Header />
        <div className="workspace">
          <Palette disabled={!currentId} />
          <main className="main">
            {currentId ? <Canvas onAdd={addSessionAt} /> : loaded ? <Welcome /> : <Loading />}
            <Notice />
          </main>
          <SidePanel />
        </div>
        <BottomPanel />
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
