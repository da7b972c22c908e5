/** Workflow files (`.orchestration.json`): format, validation, migrations, export, trust. */
export {
  FILE_EXTENSION,
  FILE_FORMAT,
  FILE_VERSION,
  workflowFileSchema,
  type WorkflowFile,
} from './schema';
export { MAX_DEPTH, MAX_FILE_BYTES } from './limits';
export type { FileProblem, FileWarning, ProblemRule } from './problems';
export { parseWorkflowFile, type ParsedWorkflowFile } from './parse';
export { checkWorkflowFile, formatProblems, type FileCheck } from './report';
export {
  exportWorkflow,
  exportWorkflowReport,
  fileNameFor,
  type Exportable,
  type ExportResult,
} from './export';
export { MIGRATIONS, OLDEST_VERSION, type Migration } from './migrations';
export { contentHash, describeWhatItRuns, formatWhatItRuns, type WhatItRuns } from './trust';
export {
  FileTrustStore,
  InMemoryTrustStore,
  requireTrust,
  type TrustCheckOptions,
  type TrustRecord,
  type TrustStore,
} from './trust-store';
export {
  exportStoredWorkflow,
  importWorkflowFile,
  type ImportOptions,
  type ImportResult,
  type NameClash,
  type WorkflowFileServices,
} from './import';
