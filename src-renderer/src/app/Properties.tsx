/** Properties of the selected session or edge (or the workflow when nothing is selected). */
import { edgeTypeChoices } from '../editor/rules';
import * as cmd from '../editor/commands';
import { commit, docOf, useEditor } from '../stores/editor';
import { RepositoryProperties } from '../agents/RepositoryProperties';
import { Field } from './fields';
import { SessionProperties } from './SessionProperties';

export function Properties() {
  const nodeId = useEditor((s) => s.nodes.find((n) => n.selected)?.id ?? null);
  const edgeId = useEditor((s) => (nodeId ? null : (s.edges.find((e) => e.selected)?.id ?? null)));
  const hasWorkflow = useEditor((s) => s.workflowId !== null);
  if (!hasWorkflow) return null;
  if (nodeId) return <SessionProperties id={nodeId} />;
  if (edgeId) return <EdgeProperties id={edgeId} />;
  return <WorkflowProperties />;
}

function WorkflowProperties() {
  const description = useEditor((s) => docOf(s).description ?? '');
  const count = useEditor((s) => docOf(s).sessions.length);
  return (
    <section className="panel" aria-label="Workflow properties">
      <h2>Workflow</h2>
      <Field
        label="Description"
        value={description}
        multiline
        rows={3}
        placeholder="What this orchestration does"
        onCommit={(v) => {
          const doc = docOf(useEditor.getState());
          const { description: _old, ...rest } = doc;
          commit(v ? { ...rest, description: v } : rest);
        }}
      />
      <RepositoryProperties />
      <p className="hint">
        {count === 0
          ? 'Drag a Director and some Departments from the palette to begin.'
          : 'Select a session to edit its runner and see it live; select an edge to limit which message types it carries.'}
      </p>
    </section>
  );
}

function EdgeProperties({ id }: { id: string }) {
  const edge = useEditor((s) => docOf(s).edges.find((e) => e.id === id));
  const sessions = useEditor((s) => docOf(s).sessions);
  if (!edge) return null;
  const from = sessions.find((s) => s.id === edge.from);
  const to = sessions.find((s) => s.id === edge.to);
  if (!from || !to) return null;
  const choices = edgeTypeChoices(from.type, to.type);
  const chosen = new Set(edge.types ?? choices);
  const toggle = (type: (typeof choices)[number]) => {
    const next = new Set(chosen);
    if (next.has(type)) next.delete(type);
    else next.add(type);
    const types = choices.filter((t) => next.has(t));
    const doc = docOf(useEditor.getState());
    commit(cmd.updateEdge(doc, id, { types: types.length === choices.length ? undefined : types }));
  };
  return (
    <section className="panel" aria-label="Edge properties">
      <h2>
        Edge: {from.name} ↔ {to.name}
      </h2>
      <fieldset className="types">
        <legend>Allowed message types (both directions)</legend>
        {choices.map((t) => (
          <label key={t} className="check">
            <input type="checkbox" checked={chosen.has(t)} onChange={() => toggle(t)} /> {t}
          </label>
        ))}
      </fieldset>
      <p className="hint">Messages whose type is not ticked are refused on this edge.</p>
    </section>
  );
}
