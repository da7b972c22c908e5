/**
 * Checks the API layer adds on top of the contract's schemas, for input from other people:
 * workspaces must stay inside the configured root (when one is set), and names shown in the
 * UI, logs and terminals must not carry control characters. Runs after schema validation and
 * before any effect; a refusal is INVALID_INPUT naming the field.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ValidationError } from '../../../src-shared/errors';
import { parseWorkflowFile } from '../workflows/file/parse';

export interface InputGuardOptions {
  /** When set, every session/workflow workspace must resolve inside it (symlinks followed). */
  workspaceRoot?: string;
}

const CONTROL = /\p{Cc}/u;

function refuse(field: string, value: unknown, message: string): never {
  throw new ValidationError('INVALID_INPUT', message, field, value);
}

function checkName(field: string, value: unknown): void {
  if (typeof value === 'string' && CONTROL.test(value)) {
    refuse(field, value, `${field} must not contain control characters.`);
  }
}

/** The real path of `p`, or of its longest existing ancestor with the rest appended. */
function realish(p: string): string {
  let head = p;
  const rest: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) return p;
    rest.unshift(head.slice(up.length).replace(/^[/\\]/, ''));
    head = up;
  }
  try {
    return resolve(realpathSync.native(head), ...rest);
  } catch {
    return p;
  }
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A workspace inside `root`, as an absolute path (a relative one is taken relative to the root).
 * Refuses NUL bytes, control characters, and anything that escapes the root, including through
 * `..` or a symlink.
 */
export function checkWorkspace(field: string, value: unknown, root: string | undefined): unknown {
  if (typeof value !== 'string') return value;
  if (CONTROL.test(value)) refuse(field, value, `${field} must not contain control characters.`);
  if (root === undefined) return value;
  const base = realish(resolve(root));
  const target = resolve(base, value);
  if (!isInside(base, target) || !isInside(base, realish(target))) {
    refuse(field, value, `${field} "${value}" is outside the workspace root ${base}.`);
  }
  return target;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkDefinition(
  def: unknown,
  root: string | undefined,
  at: string,
  checkOnly = false,
): void {
  if (!isObj(def)) return;
  checkName(`${at}.name`, def.name);
  // The repository departments work on, and where their worktrees go, are workspaces too.
  const repo = def.repository;
  if (isObj(repo)) {
    for (const key of ['path', 'worktreeRoot'] as const) {
      if (repo[key] === undefined) continue;
      const checked = checkWorkspace(`${at}.repository.${key}`, repo[key], root);
      if (!checkOnly) repo[key] = checked;
    }
  }
  if (!Array.isArray(def.sessions)) return;
  def.sessions.forEach((s: unknown, i) => {
    if (!isObj(s)) return;
    checkName(`${at}.sessions[${i}].name`, s.name);
    if (s.workspace !== undefined) {
      const checked = checkWorkspace(`${at}.sessions[${i}].workspace`, s.workspace, root);
      if (!checkOnly) s.workspace = checked;
    }
  });
}

/**
 * Checks (and, for workspaces under a root, normalises to absolute paths) the params of one
 * validated call. Params are the call's own parsed copy, so normalising in place is safe.
 */
export function guardParams(method: string, params: unknown, options: InputGuardOptions): unknown {
  if (!isObj(params)) return params;
  const root = options.workspaceRoot;
  switch (method) {
    case 'sessions.create':
      checkName('name', params.name);
      if (params.workspace != null) {
        params.workspace = checkWorkspace('workspace', params.workspace, root);
      }
      break;
    case 'sessions.update': {
      const changes = params.changes;
      if (isObj(changes)) {
        checkName('changes.name', changes.name);
        if (changes.workspace != null) {
          changes.workspace = checkWorkspace('changes.workspace', changes.workspace, root);
        }
      }
      break;
    }
    case 'bus.publish':
      checkName('sender', params.sender);
      checkName('receiver', params.receiver);
      break;
    case 'bus.publishBatch':
      if (Array.isArray(params.messages)) {
        params.messages.forEach((m: unknown, i) => {
          if (!isObj(m)) return;
          checkName(`messages[${i}].sender`, m.sender);
          checkName(`messages[${i}].receiver`, m.receiver);
        });
      }
      break;
    case 'workflows.importFile': {
      checkName('name', params.name);
      if (typeof params.text !== 'string') break;
      let parsed: ReturnType<typeof parseWorkflowFile> | undefined;
      try {
        parsed = parseWorkflowFile(params.text);
      } catch {
        break; // the import itself reports what is wrong with the file, with its paths
      }
      // Checked only: the import parses the text again and stores it as written.
      checkDefinition(structuredClone(parsed.workflow), root, 'definition', true);
      break;
    }
    default:
      // Any method carrying a workflow definition (create, update, and later ones such as import).
      if ('definition' in params) checkDefinition(params.definition, root, 'definition');
  }
  return params;
}
