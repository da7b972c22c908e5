/**
 * exportWorkflow: a definition → the canonical file text. Secrets under secret-looking names are
 * dropped (listed in `removed`); key-like values elsewhere (e.g. in shell args) are refused,
 * because dropping them would change what runs. A definition whose file would not import is
 * refused too, so every exported file opens again.
 */
import type { Workflow, WorkflowDefinition } from '../../../../src-shared/workflow';
import { validateDefinition } from '../validate';
import { canonicalText, definitionToFile } from './canonical';
import { contentProblems } from './content';
import { fileError } from './problems';
import type { WorkflowFile } from './schema';
import { scanSecrets, secretMessage } from './secrets';

export interface ExportResult {
  text: string;
  /** JSON Pointers (into the file) of secret values that were left out. */
  removed: string[];
}

export type Exportable = WorkflowDefinition | Pick<Workflow, 'definition'>;

export function definitionOf(workflow: Exportable): WorkflowDefinition {
  return 'definition' in workflow ? workflow.definition : workflow;
}

export function exportWorkflowReport(workflow: Exportable): ExportResult {
  const definition = validateDefinition(definitionOf(workflow));
  const { clean, findings } = scanSecrets(definitionToFile(definition));
  const refused = findings.filter((f) => f.kind !== 'named');
  if (refused.length) {
    throw fileError(
      'INVALID_INPUT',
      refused.map((f) => ({ path: f.path, rule: 'secret', message: secretMessage(f) })),
    );
  }
  const doc = clean as Record<string, unknown>;
  const problems = contentProblems(doc);
  if (problems.length) throw fileError('INVALID_INPUT', problems);
  return {
    text: canonicalText(doc as WorkflowFile),
    removed: findings.map((f) => f.path),
  };
}

/** The canonical `.orchestration.json` text (2-space JSON, stable key order, trailing newline). */
export function exportWorkflow(workflow: Exportable): string {
  return exportWorkflowReport(workflow).text;
}

/** A file name for a workflow: its name in lower-case words joined by "-", plus the extension. */
export function fileNameFor(workflow: Exportable): string {
  const slug = definitionOf(workflow)
    .name.normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'workflow'}.orchestration.json`;
}
