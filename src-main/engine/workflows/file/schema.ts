/**
 * The workflow file, version 2: the one zod schema that defines `.orchestration.json` files.
 * Sessions, edges and runners reuse the engine's definition schema (src-shared/workflow.ts);
 * positions and the viewport move into `layout` so the topology reads without canvas noise.
 * docs/workflow.schema.json is generated from `workflowFileSchema` (scripts/gen-workflow-schema.ts).
 */
import { z } from 'zod';
import { jsonObject } from '../../../../src-shared/schemas';
import {
  MAX_WORKFLOW_EDGES,
  MAX_WORKFLOW_SESSIONS,
  positionSchema,
  workflowDefinitionSchema,
  workflowEdgeSchema,
  workflowSessionSchema,
} from '../../../../src-shared/workflow';

export const FILE_FORMAT = 'orchestration-workflow';
/** The file-format version this build writes and the newest it reads. */
export const FILE_VERSION = 2;
export const FILE_EXTENSION = '.orchestration.json';

const definition = workflowDefinitionSchema.shape;

export const fileSessionSchema = workflowSessionSchema.omit({ position: true });
export type FileSession = z.infer<typeof fileSessionSchema>;

export const layoutSchema = z.strictObject({
  /** Session id → canvas position. A session without one is placed automatically on import. */
  positions: z.record(z.string(), positionSchema),
  viewport: definition.viewport,
});

export const workflowFileSchema = z
  .strictObject({
    format: z.literal(FILE_FORMAT),
    version: z.literal(FILE_VERSION),
    /** The engine API version (semver) that wrote the file; informative. */
    apiVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, 'a semver such as 1.0.0'),
    name: definition.name,
    description: definition.description,
    sessions: z.array(fileSessionSchema).max(MAX_WORKFLOW_SESSIONS),
    edges: z.array(workflowEdgeSchema).max(MAX_WORKFLOW_EDGES),
    settings: jsonObject.optional(),
    repository: definition.repository,
    layout: layoutSchema,
  })
  .meta({
    title: 'Orchestration Studio workflow file',
    description:
      'A workflow exported from Orchestration Studio (.orchestration.json). ' +
      'See docs/workflow-files.md.',
  });
export type WorkflowFile = z.infer<typeof workflowFileSchema>;
