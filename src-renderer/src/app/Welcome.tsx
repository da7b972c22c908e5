/** What a new user sees with no workflow: what to do first, and samples one click away. */
import { emptyWorkflow } from '../editor/graph';
import { createWorkflow, useWorkflows } from '../stores/workflows';
import { samples } from './samples';

export function SampleButtons() {
  return (
    <div className="samples" role="group" aria-label="Sample workflows">
      {samples().map((s) => (
        <button
          key={s.name}
          className="sample"
          onClick={() => void createWorkflow(structuredClone(s))}
          title={s.description}
        >
          <strong>Open sample: {s.name}</strong>
          {s.description && <span>{s.description}</span>}
        </button>
      ))}
    </div>
  );
}

export function Welcome() {
  const error = useWorkflows((s) => s.error);
  return (
    <section className="empty welcome" aria-label="Welcome">
      <h1>Design an orchestration</h1>
      {error && (
        <p className="error-text" role="alert">
          Could not load your workflows: {error}
        </p>
      )}
      <p>
        A <b>director</b> delegates work to <b>departments</b> over a durable message bus. Start
        with an empty workflow and drag sessions from the palette, or open a sample and press{' '}
        <b>Run</b>.
      </p>
      <button
        className="primary big"
        onClick={() => void createWorkflow(emptyWorkflow('My first workflow'))}
      >
        Create your first workflow
      </button>
      <SampleButtons />
    </section>
  );
}
