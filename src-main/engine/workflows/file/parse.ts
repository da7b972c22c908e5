/**
 * parseWorkflowFile: bytes → a validated WorkflowDefinition. Limits first (size, UTF-8, depth),
 * then JSON, repeated keys (reported with the other problems), the envelope (format, version), the migration chain for older files, every content
 * problem at once, and finally the engine's own validateDefinition. Nothing here runs anything.
 */
import { ValidationError } from '../../../../src-shared/errors';
import type { WorkflowDefinition } from '../../../../src-shared/workflow';
import { validateDefinition } from '../validate';
import { fileToDefinition } from './canonical';
import { contentProblems } from './content';
import { duplicateKeyProblems } from './duplicate-keys';
import { apiVersionWarning, readEnvelope } from './envelope';
import { decodeFile, depthProblem, parseJson } from './limits';
import { migrationFrom } from './migrations';
import {
  fileError,
  pointerFromDotted,
  problemsFromIssues,
  withTargets,
  type FileProblem,
  type FileWarning,
} from './problems';
import { FILE_VERSION, workflowFileSchema, type WorkflowFile } from './schema';

export interface ParsedWorkflowFile {
  /** The definition to hand to engine.workflows.create/update. */
  workflow: WorkflowDefinition;
  /** The file in the current format (after migration). */
  file: WorkflowFile;
  /** Set when the file was an older format version and was migrated. */
  migratedFrom?: number;
  warnings: FileWarning[];
}

type PathMap = (path: string) => string;

/** `maps` are in migration order; a path in the newest shape maps back through them in reverse. */
const pathBack = (path: string, maps: PathMap[]) => maps.reduceRight((at, map) => map(at), path);

function mapBack<T extends { path?: string }>(items: T[], maps: PathMap[]): T[] {
  if (maps.length === 0) return items;
  return items.map((p) => (p.path === undefined ? p : { ...p, path: pathBack(p.path, maps) }));
}

function migrate(doc: Record<string, unknown>, version: number, duplicates: FileProblem[]) {
  let current: unknown = doc;
  const maps: PathMap[] = [];
  const summaries: string[] = [];
  for (let v = version; v < FILE_VERSION; v++) {
    const step = migrationFrom(v)!;
    const parsed = step.schema.safeParse(current);
    if (!parsed.success) {
      const problems = mapBack(problemsFromIssues(parsed.error.issues, current), maps);
      throw fileError('INVALID_INPUT', [...duplicates, ...problems], { version });
    }
    const input = parsed.data;
    maps.push((p) => step.mapPath(p, input));
    summaries.push(`${v} → ${v + 1}: ${step.summary}`);
    current = step.migrate(input);
  }
  return { doc: current as Record<string, unknown>, maps, summaries };
}

/** The engine's own rules are the last word; a refusal there becomes one more problem. */
function engineCheck(definition: WorkflowDefinition): FileProblem[] {
  try {
    validateDefinition(definition);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const path = error.field === undefined ? '' : pointerFromDotted(error.field);
    return [
      {
        path,
        rule: 'engine-rule',
        message: error.message.replace(/^Invalid workflow \([^)]*\): /, ''),
      },
    ];
  }
}

export function parseWorkflowFile(input: string | Uint8Array): ParsedWorkflowFile {
  const decoded = decodeFile(input);
  if ('problem' in decoded) throw fileError('INVALID_FORMAT', [decoded.problem]);
  const deep = depthProblem(decoded.text);
  if (deep) throw fileError('INVALID_FORMAT', [deep]);
  const json = parseJson(decoded.text);
  if ('problem' in json) throw fileError('INVALID_FORMAT', [json.problem]);
  // Paths into the file as written, so they need no mapping back through migrations.
  const duplicates = withTargets(duplicateKeyProblems(decoded.text), json.value);
  const envelope = readEnvelope(json.value);
  if ('problem' in envelope)
    throw fileError('INVALID_FORMAT', [envelope.problem], envelope.details);

  const { version } = envelope;
  const warnings: FileWarning[] = [];
  let doc = envelope.doc;
  let maps: PathMap[] = [];
  if (version < FILE_VERSION) {
    const migrated = migrate(envelope.doc, version, duplicates);
    doc = migrated.doc;
    maps = migrated.maps;
    warnings.push({
      message:
        `Migrated from file format version ${version} to ${FILE_VERSION} (${migrated.summaries.join('; ')}). ` +
        'Export it again to save it in the current format.',
    });
  }
  const apiWarning = apiVersionWarning(envelope.doc);
  if (apiWarning) warnings.push({ path: '/apiVersion', message: apiWarning });

  // Repeated keys first: until they are fixed, the rest describes values the reader may not see.
  const problems = [...duplicates, ...mapBack(contentProblems(doc), maps)];
  if (problems.length) throw fileError('INVALID_INPUT', problems, { version });
  const file = workflowFileSchema.parse(doc);
  const converted = fileToDefinition(file);
  const engineProblems = withTargets(engineCheck(converted.definition), doc);
  if (engineProblems.length) {
    throw fileError('INVALID_INPUT', mapBack(engineProblems, maps), { version });
  }
  warnings.push(...mapBack(converted.warnings, maps));
  const result: ParsedWorkflowFile = { workflow: converted.definition, file, warnings };
  if (version < FILE_VERSION) result.migratedFrom = version;
  return result;
}
