/**
 * Every problem in a current-version document at once: forbidden keys, secrets, schema
 * (types, unknown fields, missing fields) and topology, sorted in document order.
 */
import { pointer, problemsFromIssues, withTargets, type FileProblem } from './problems';
import { workflowFileSchema } from './schema';
import { scanSecrets, secretMessage } from './secrets';
import { semanticProblems } from './semantic';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKeys(value: unknown, path: PropertyKey[] = [], out: FileProblem[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => forbiddenKeys(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (FORBIDDEN.has(key)) {
        out.push({
          path: pointer([...path, key]),
          rule: 'forbidden-key',
          message: `"${key}" is not allowed as a key anywhere in a workflow file`,
        });
      } else forbiddenKeys(v, [...path, key], out);
    }
  }
  return out;
}

const TOP = ['', 'format', 'version', 'apiVersion', 'name', 'description', 'sessions', 'edges'];
const rank = (segment: string | undefined) => {
  const at = TOP.indexOf(segment ?? '');
  return at === -1 ? TOP.length : at;
};

/** Document order: top-level fields in schema order, array items by index, other keys by name. */
function compareSegments(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  if (rank(as[1]) !== rank(bs[1])) return rank(as[1]) - rank(bs[1]);
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

export function contentProblems(doc: Record<string, unknown>): FileProblem[] {
  const problems = forbiddenKeys(doc);
  for (const f of scanSecrets(doc).findings) {
    problems.push({ path: f.path, rule: 'secret', message: secretMessage(f) });
  }
  const parsed = workflowFileSchema.safeParse(doc);
  if (!parsed.success) problems.push(...problemsFromIssues(parsed.error.issues, doc));
  problems.push(...semanticProblems(doc));
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path}\u0000${p.rule}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return withTargets(
    unique.sort((a, b) => compareSegments(a.path, b.path)),
    doc,
  );
}
