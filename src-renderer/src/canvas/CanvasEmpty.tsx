/** Shown over an empty canvas: what to do first. */
import { SampleButtons } from '../app/Welcome';

export function CanvasEmpty() {
  return (
    <div className="canvas-empty" aria-label="Empty canvas">
      <h2>This workflow is empty</h2>
      <ol>
        <li>
          Drag a <b>Director</b> from the palette onto the canvas.
        </li>
        <li>
          Add one or more <b>Departments</b>.
        </li>
        <li>Connect the director to each department by dragging between the dots.</li>
        <li>
          Pick runners in the properties panel, then press <b>Run</b>.
        </li>
      </ol>
      <p>Or start from a sample:</p>
      <SampleButtons />
    </div>
  );
}
