/**
 * Writes docs/workflow.schema.json from the workflow file's zod schema (the one source of truth).
 * Run: npx tsx scripts/gen-workflow-schema.ts  (add `--check` to fail when the file is stale).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { workflowJsonSchemaText } from '../src-main/engine/workflows/file/json-schema';

const target = fileURLToPath(new URL('../docs/workflow.schema.json', import.meta.url));
// Formatted as `prettier --check .` expects, so lint stays green; the content is the generated schema.
const text = await format(workflowJsonSchemaText(), {
  ...(await resolveConfig(target)),
  filepath: target,
});

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('docs/workflow.schema.json is stale: run npx tsx scripts/gen-workflow-schema.ts');
    process.exit(1);
  }
  console.log('docs/workflow.schema.json is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
