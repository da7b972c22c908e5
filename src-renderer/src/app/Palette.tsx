/** Session types to drag onto the canvas (or press Enter to add at the centre). */
import { useReactFlow } from '@xyflow/react';
import type { DragEvent, KeyboardEvent } from 'react';
import type { SessionType } from '../../../src-shared/domain';
import { DRAG_TYPE } from '../canvas/Canvas';
import { addSessionAt } from '../stores/editor';

const ITEMS: { type: SessionType; label: string; hint: string }[] = [
  { type: 'director', label: 'Director', hint: 'Delegates the run input to its departments' },
  {
    type: 'department',
    label: 'Department',
    hint: 'Does the work: a script, shell, Claude or manual',
  },
  { type: 'observer', label: 'Observer', hint: 'Watches; read-only' },
];

export function Palette({ disabled }: { disabled: boolean }) {
  const flow = useReactFlow();
  const addAtCentre = (type: SessionType) => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    if (!pane) return;
    const centre = flow.screenToFlowPosition({
      x: pane.left + pane.width / 2,
      y: pane.top + pane.height / 2,
    });
    addSessionAt(type, { x: centre.x - 100, y: centre.y - 36 });
  };
  return (
    <nav className="palette" aria-label="Palette">
      <h2>Sessions</h2>
      <ul>
        {ITEMS.map((item) => (
          <li key={item.type}>
            <button
              className={`palette-item type-${item.type}`}
              draggable={!disabled}
              disabled={disabled}
              aria-label={item.label}
              title={`${item.hint}. Drag onto the canvas, or press Enter to add it at the centre.`}
              onDragStart={(e: DragEvent) => {
                e.dataTransfer.setData(DRAG_TYPE, item.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={(e) => e.detail === 0 && addAtCentre(item.type)}
              onKeyDown={(e: KeyboardEvent) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addAtCentre(item.type);
                }
              }}
            >
              <span className="palette-label">{item.label}</span>
              <span className="palette-hint">{item.hint}</span>
            </button>
          </li>
        ))}
      </ul>
      <p className="palette-help">
        Drag to the canvas. Connect sessions by dragging from the dot under one to the dot on top of
        another.
      </p>
    </nav>
  );
}
