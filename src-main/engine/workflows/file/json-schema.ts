/**
 * The JSON Schema of workflow files, generated from workflowFileSchema so editors can validate
 * `.orchestration.json` files. docs/workflow.schema.json is this text (scripts/gen-workflow-schema.ts).
 */
import { z } from 'zod';
import { workflowFileSchema } from './schema';

export const WORKFLOW_SCHEMA_ID =
  'https://orchestration.studio/schemas/workflow-file-v2.schema.json';

export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(workflowFileSchema, { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = schema;
  return { $schema, $id: WORKFLOW_SCHEMA_ID, ...rest };
}

export function workflowJsonSchemaText(): string {
  return JSON.stringify(workflowJsonSchema(), null, 2) + '\n';
}
