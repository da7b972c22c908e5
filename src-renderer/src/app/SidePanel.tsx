/** The right panel: for a selected session, Inspector and Properties tabs; else properties. */
import { Inspector } from '../inspector/Inspector';
import { useEditor } from '../stores/editor';
import { useLive } from '../stores/live';
import { setSideTab, useUi } from '../stores/ui';
import { Properties } from './Properties';

export function SidePanel() {
  const selected = useEditor((s) => s.nodes.find((n) => n.selected)?.id ?? null);
  const hasRuns = useLive((s) => s.runs.length > 0);
  const picked = useUi((s) => s.sideTab);
  const hasWorkflow = useEditor((s) => s.workflowId !== null);
  const tab = picked ?? (hasRuns ? 'inspector' : 'properties');
  if (!hasWorkflow) {
    return (
      <aside className="side" aria-label="Side panel">
        <p className="hint pad">
          Properties and the live inspector of the selected session appear here once a workflow is
          open.
        </p>
      </aside>
    );
  }
  return (
    <aside className="side" aria-label="Side panel">
      {selected && (
        <div className="tabs" role="tablist" aria-label="Session panels">
          <button
            role="tab"
            aria-selected={tab === 'inspector'}
            onClick={() => setSideTab('inspector')}
          >
            Inspector
          </button>
          <button
            role="tab"
            aria-selected={tab === 'properties'}
            onClick={() => setSideTab('properties')}
          >
            Properties
          </button>
        </div>
      )}
      {selected && tab === 'inspector' ? <Inspector sessionId={selected} /> : <Properties />}
    </aside>
  );
}
