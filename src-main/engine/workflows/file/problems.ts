/**
 * A problem in a workflow file: a JSON Pointer into the file, a plain message and a rule name.
 * All problems are collected and thrown together so a person fixes a file in one pass.
 */
import type { z } from 'zod';
import { ValidationError } from '../../../../src-shared/errors';

export type ProblemRule =
  | 'too-large'
  | 'too-deep'
  | 'not-utf8'
  | 'not-json'
  | 'not-object'
  | 'format'
  | 'version'
  | 'newer-version'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'invalid-value'
  | 'forbidden-key'
  | 'duplicate-key'
  | 'secret'
  | 'duplicate-id'
  | 'duplicate-name'
  | 'second-director'
  | 'runner-kind'
  | 'unknown-session'
  | 'self-edge'
  | 'duplicate-edge'
  | 'edge-direction'
  | 'cycle'
  | 'engine-rule';

export interface FileProblem {
  /** JSON Pointer (RFC 6901) into the file as written, e.g. `/sessions/2/runner/command`. */
  path: string;
  message: string;
  rule: ProblemRule;
  /** The session the problem belongs to, so a UI can select its node. */
  sessionId?: string;
  edgeId?: string;
}

export interface FileWarning {
  path?: string;
  message: string;
}

export function pointer(parts: readonly PropertyKey[]): string {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** `sessions[1].runner.kind` (the engine's path form) → `/sessions/1/runner/kind`. */
export function pointerFromDotted(path: string): string {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  return pointer(parts);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** Every zod issue as a problem; unknown keys become one problem each. */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
  base: readonly PropertyKey[] = [],
): FileProblem[] {
  const out: FileProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: pointer([...path, key]),
          rule: 'unknown-field',
          message: `unknown field "${key}" (this app does not know it; remove it or check its spelling)`,
        });
      }
      continue;
    }
    const value = valueAt(root, issue.path);
    const last = issue.path[issue.path.length - 1];
    if (issue.code === 'invalid_type' && value === undefined) {
      out.push({
        path: pointer(path),
        rule: 'missing-field',
        message: `"${String(last)}" is required`,
      });
    } else if (issue.code === 'invalid_type') {
      out.push({
        path: pointer(path),
        rule: 'wrong-type',
        message: `expected ${issue.expected === 'record' ? 'object' : issue.expected}, got ${describeType(value)}`,
      });
    } else if (issue.code === 'invalid_union' && 'options' in issue) {
      out.push({
        path: pointer(path),
        rule: 'invalid-value',
        message: `${JSON.stringify(value)} is not one of ${(issue.options as unknown[]).join(', ')}`,
      });
    } else if (issue.code === 'invalid_value') {
      out.push({
        path: pointer(path),
        rule: 'invalid-value',
        message: `${JSON.stringify(value)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      });
    } else {
      out.push({ path: pointer(path), rule: 'invalid-value', message: issue.message });
    }
  }
  return out;
}

/** Attaches the session/edge id a problem belongs to, for problems under /sessions/i or /edges/i. */
export function withTargets(problems: FileProblem[], raw: unknown): FileProblem[] {
  const doc = raw as { sessions?: unknown; edges?: unknown } | null;
  const idAt = (list: unknown, i: number): string | undefined => {
    const item = Array.isArray(list) ? (list[i] as { id?: unknown } | undefined) : undefined;
    return typeof item?.id === 'string' ? item.id : undefined;
  };
  return problems.map((p) => {
    const m = /^\/(sessions|edges)\/(\d+)(?:\/|$)/.exec(p.path);
    if (!m || p.sessionId || p.edgeId) return p;
    const id = idAt(m[1] === 'sessions' ? doc?.sessions : doc?.edges, Number(m[2]));
    if (id === undefined) return p;
    return m[1] === 'sessions' ? { ...p, sessionId: id } : { ...p, edgeId: id };
  });
}

/** The one error a refused file throws: every problem in `details.problems`. */
export function fileError(
  code: 'INVALID_FORMAT' | 'INVALID_INPUT',
  problems: FileProblem[],
  details: Record<string, unknown> = {},
): ValidationError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  return new ValidationError(
    code,
    `Invalid workflow file at ${first.path || '/'}: ${first.message}${more}`,
    first.path,
    undefined,
    { details: { problems, ...details } },
  );
}
