/**
 * Semantic checks a schema cannot express: ids are unique, edges join existing sessions, at most
 * one director, each runner fits its session type, and each edge's types fit the direction rules
 * of SPEC.md. Every failure names the JSON path of the offending value (details.path / field).
 */
import { allowedTypes } from '../../../src-shared/domain';
import { ValidationError } from '../../../src-shared/errors';
import { validate } from '../../../src-shared/validate';
import {
  RUNNER_KINDS_BY_TYPE,
  workflowDefinitionSchema,
  type WorkflowDefinition,
} from '../../../src-shared/workflow';

function fail(
  code: 'INVALID_INPUT' | 'INVALID_MESSAGE',
  path: string,
  value: unknown,
  message: string,
): never {
  throw new ValidationError(code, `Invalid workflow (${path}): ${message}`, path, value, {
    details: { path },
  });
}

/** Schema check; the error's path also goes into `details.path`, as the semantic checks' do. */
function parse(input: unknown): WorkflowDefinition {
  try {
    return validate(workflowDefinitionSchema, input, 'workflow');
  } catch (error) {
    if (!(error instanceof ValidationError) || error.field === undefined) throw error;
    throw new ValidationError(
      error.code as 'INVALID_INPUT',
      error.message,
      error.field,
      error.value,
      {
        details: { ...error.details, path: error.field },
      },
    );
  }
}

/** Parses and checks a workflow definition; returns it normalised (schema output). */
export function validateDefinition(input: unknown): WorkflowDefinition {
  const def = parse(input);
  const byId = new Map<string, WorkflowDefinition['sessions'][number]>();
  const names = new Set<string>();
  let director: string | undefined;
  def.sessions.forEach((s, i) => {
    const at = `sessions[${i}]`;
    if (byId.has(s.id)) fail('INVALID_INPUT', `${at}.id`, s.id, `duplicate session id "${s.id}"`);
    if (names.has(s.name)) {
      fail('INVALID_INPUT', `${at}.name`, s.name, `duplicate session name "${s.name}"`);
    }
    byId.set(s.id, s);
    names.add(s.name);
    if (s.type === 'director') {
      if (director !== undefined) {
        fail(
          'INVALID_INPUT',
          `${at}.type`,
          s.type,
          `a workflow has at most one director ("${director}" already is)`,
        );
      }
      director = s.id;
    }
    const kinds: readonly string[] = RUNNER_KINDS_BY_TYPE[s.type];
    if (s.runner && !kinds.includes(s.runner.kind)) {
      fail(
        'INVALID_INPUT',
        `${at}.runner.kind`,
        s.runner.kind,
        kinds.length
          ? `a ${s.type} runs one of ${kinds.join(', ')}, not "${s.runner.kind}"`
          : `an ${s.type} only watches; it has no runner`,
      );
    }
  });

  const edgeIds = new Set<string>();
  const pairs = new Set<string>();
  def.edges.forEach((e, i) => {
    const at = `edges[${i}]`;
    if (edgeIds.has(e.id)) fail('INVALID_INPUT', `${at}.id`, e.id, `duplicate edge id "${e.id}"`);
    edgeIds.add(e.id);
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (!from) fail('INVALID_INPUT', `${at}.from`, e.from, `no session with id "${e.from}"`);
    if (!to) fail('INVALID_INPUT', `${at}.to`, e.to, `no session with id "${e.to}"`);
    if (e.from === e.to) fail('INVALID_INPUT', `${at}.to`, e.to, 'an edge joins two sessions');
    const pair = [e.from, e.to].sort().join('\u0000');
    if (pairs.has(pair)) {
      fail('INVALID_INPUT', at, e.id, `"${e.from}" and "${e.to}" are already joined by an edge`);
    }
    pairs.add(pair);
    // An edge carries messages both ways; each listed type must fit at least one direction.
    const fits = new Set([
      ...allowedTypes(from.type, to.type),
      ...allowedTypes(to.type, from.type),
    ]);
    e.types?.forEach((type, j) => {
      if (!fits.has(type)) {
        fail(
          'INVALID_MESSAGE',
          `${at}.types[${j}]`,
          type,
          `${type} cannot travel between a ${from.type} and a ${to.type}` +
            (fits.size ? ` (allowed: ${[...fits].join(', ')})` : ' (observers only watch)'),
        );
      }
    });
  });
  return def;
}
