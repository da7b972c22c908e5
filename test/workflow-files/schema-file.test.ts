import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportWorkflow } from '../../src-main/engine/workflows/file';
import { workflowJsonSchema } from '../../src-main/engine/workflows/file/json-schema';
import { ROOT, sampleDefinition } from './samples';

describe('docs/workflow.schema.json', () => {
  it('is the schema generated from the zod file schema (run: npx tsx scripts/gen-workflow-schema.ts)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'workflow.schema.json'), 'utf8'));
    expect(committed).toEqual(workflowJsonSchema());
  });

  it('describes every top-level field an exported file has, and refuses others', () => {
    const schema = workflowJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    const file = JSON.parse(exportWorkflow(sampleDefinition()));
    expect(Object.keys(schema.properties)).toEqual(Object.keys(file));
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'format',
        'version',
        'apiVersion',
        'name',
        'sessions',
        'edges',
        'layout',
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});
