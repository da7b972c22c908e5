/**
 * Definition ↔ file, and the canonical text: keys in schema order (free-form `settings` sorted),
 * positions in session order, 2-space JSON, a trailing newline. The same definition always gives
 * the same bytes, so export → import → export is byte-identical and the text can be hashed.
 */
import { API_VERSION } from '../../../../src-shared/domain';
import type { WorkflowDefinition } from '../../../../src-shared/workflow';
import type { FileWarning } from './problems';
import { FILE_FORMAT, FILE_VERSION, workflowFileSchema, type WorkflowFile } from './schema';

/** A copy of a JSON value with every object's keys sorted (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    out[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return out;
}

export function definitionToFile(def: WorkflowDefinition): WorkflowFile {
  const positions: WorkflowFile['layout']['positions'] = {};
  for (const s of def.sessions) positions[s.id] = { x: s.position.x, y: s.position.y };
  return {
    format: FILE_FORMAT,
    version: FILE_VERSION,
    apiVersion: API_VERSION,
    name: def.name,
    description: def.description,
    sessions: def.sessions.map(({ position: _position, ...rest }) => rest),
    edges: def.edges,
    settings: def.settings,
    repository: def.repository,
    layout: { positions, viewport: def.viewport },
  };
}

/** Sessions without a position are laid out in a column right of the others, with a warning. */
export function fileToDefinition(file: WorkflowFile): {
  definition: WorkflowDefinition;
  warnings: FileWarning[];
} {
  const warnings: FileWarning[] = [];
  const placed = Object.values(file.layout.positions);
  const right = placed.length ? Math.max(...placed.map((p) => p.x)) + 320 : 0;
  let next = 0;
  const sessions = file.sessions.map((s, i) => {
    const at = file.layout.positions[s.id];
    if (at) return { ...s, position: { x: at.x, y: at.y } };
    warnings.push({
      path: `/sessions/${i}`,
      message: `session "${s.id}" has no position in /layout/positions; it was placed automatically`,
    });
    return { ...s, position: { x: right, y: 160 * next++ } };
  });
  const definition: WorkflowDefinition = {
    name: file.name,
    description: file.description,
    sessions,
    edges: file.edges,
    settings: file.settings,
    repository: file.repository,
    viewport: file.layout.viewport,
  };
  for (const key of ['description', 'settings', 'repository', 'viewport'] as const) {
    if (definition[key] === undefined) delete definition[key];
  }
  return { definition, warnings };
}

/** The canonical text of a valid file object. */
export function canonicalText(file: WorkflowFile): string {
  const parsed = workflowFileSchema.parse(file);
  if (parsed.settings) parsed.settings = sortKeys(parsed.settings) as Record<string, unknown>;
  return JSON.stringify(parsed, null, 2) + '\n';
}
