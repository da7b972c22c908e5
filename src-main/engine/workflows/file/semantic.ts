/**
 * Checks a schema cannot express, collected (not thrown) so every problem shows at once. These
 * mirror the engine's validateDefinition (../validate.ts), which stays the final gate on import;
 * they run on the raw file, so they still report when other parts of the file are malformed.
 */
import {
  allowedTypes,
  DEPARTMENT_TO_DIRECTOR,
  type MessageType,
  type SessionType,
} from '../../../../src-shared/domain';
import { RUNNER_KINDS_BY_TYPE } from '../../../../src-shared/workflow';
import { findCycles, type DirectedEdge } from './cycles';
import type { FileProblem } from './problems';
import { pointer } from './problems';

interface RawSession {
  index: number;
  id: string;
  type?: SessionType;
}

const TYPES: readonly string[] = ['director', 'department', 'observer'];
const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) && v.length <= 5000 ? v : []);

function checkSessions(raw: unknown[], problems: FileProblem[]): Map<string, RawSession> {
  const byId = new Map<string, RawSession>();
  const names = new Map<string, number>();
  let director: string | undefined;
  raw.forEach((item, i) => {
    const s = obj(item);
    if (!s || !str(s.id)) return;
    const at = ['sessions', i];
    const type = TYPES.includes(s.type as string) ? (s.type as SessionType) : undefined;
    if (byId.has(s.id)) {
      problems.push({
        path: pointer([...at, 'id']),
        rule: 'duplicate-id',
        message: `duplicate session id "${s.id}" (also /sessions/${byId.get(s.id)!.index})`,
        sessionId: s.id,
      });
    } else byId.set(s.id, { index: i, id: s.id, type });
    if (str(s.name)) {
      if (names.has(s.name)) {
        problems.push({
          path: pointer([...at, 'name']),
          rule: 'duplicate-name',
          message: `duplicate session name "${s.name}" (also /sessions/${names.get(s.name)})`,
          sessionId: s.id,
        });
      } else names.set(s.name, i);
    }
    if (type === 'director') {
      if (director !== undefined) {
        problems.push({
          path: pointer([...at, 'type']),
          rule: 'second-director',
          message: `a workflow has at most one director ("${director}" already is)`,
          sessionId: s.id,
        });
      } else director = s.id;
    }
    const kind = obj(s.runner)?.kind;
    if (type && str(kind)) {
      const kinds: readonly string[] = RUNNER_KINDS_BY_TYPE[type];
      if (
        !kinds.includes(kind) &&
        ['script', 'shell', 'claude', 'manual', 'fan-out'].includes(kind)
      ) {
        problems.push({
          path: pointer([...at, 'runner', 'kind']),
          rule: 'runner-kind',
          message: kinds.length
            ? `a ${type} runs one of ${kinds.join(', ')}, not "${kind}"`
            : `an ${type} only watches; it has no runner`,
          sessionId: s.id,
        });
      }
    }
  });
  return byId;
}

/** An edge that carries a report from a department to a director; cycles through one are fine. */
function isReporting(from: RawSession, to: RawSession, types: unknown): boolean {
  if (from.type !== 'department' || to.type !== 'director') return false;
  if (!Array.isArray(types)) return true;
  return types.some((t) => (DEPARTMENT_TO_DIRECTOR as readonly unknown[]).includes(t));
}

function checkEdges(raw: unknown[], byId: Map<string, RawSession>, problems: FileProblem[]) {
  const edgeIds = new Map<string, number>();
  const pairs = new Map<string, number>();
  const directed: DirectedEdge[] = [];
  raw.forEach((item, i) => {
    const e = obj(item);
    if (!e) return;
    const at = ['edges', i];
    const edgeId = str(e.id) ? e.id : undefined;
    const push = (p: Omit<FileProblem, 'edgeId'>) => problems.push({ ...p, edgeId });
    if (edgeId !== undefined) {
      if (edgeIds.has(edgeId)) {
        push({
          path: pointer([...at, 'id']),
          rule: 'duplicate-id',
          message: `duplicate edge id "${edgeId}" (also /edges/${edgeIds.get(edgeId)})`,
        });
      } else edgeIds.set(edgeId, i);
    }
    const ends = (['from', 'to'] as const).map((end) => {
      const ref = e[end];
      if (!str(ref)) return undefined;
      const session = byId.get(ref);
      if (!session) {
        push({
          path: pointer([...at, end]),
          rule: 'unknown-session',
          message: `no session with id "${ref}"`,
        });
      }
      return session;
    });
    const [from, to] = ends;
    if (!from || !to) return;
    if (from.id === to.id) {
      push({
        path: pointer([...at, 'to']),
        rule: 'self-edge',
        message: 'an edge joins two different sessions',
      });
      return;
    }
    const pair = [from.id, to.id].sort().join('\u0000');
    if (pairs.has(pair)) {
      push({
        path: pointer(at),
        rule: 'duplicate-edge',
        message: `"${from.id}" and "${to.id}" are already joined by /edges/${pairs.get(pair)}`,
      });
    } else pairs.set(pair, i);
    if (from.type && to.type && Array.isArray(e.types)) {
      const fits = new Set<MessageType>([
        ...allowedTypes(from.type, to.type),
        ...allowedTypes(to.type, from.type),
      ]);
      e.types.forEach((type, j) => {
        if (typeof type === 'string' && !fits.has(type as MessageType)) {
          push({
            path: pointer([...at, 'types', j]),
            rule: 'edge-direction',
            message:
              `${type} cannot travel between a ${from.type} and a ${to.type}` +
              (fits.size ? ` (allowed: ${[...fits].join(', ')})` : ' (observers only watch)'),
          });
        }
      });
    }
    if (!isReporting(from, to, e.types)) directed.push({ index: i, from: from.id, to: to.id });
  });
  for (const cycle of findCycles(directed)) {
    problems.push({
      path: pointer(['edges', cycle.closingEdge]),
      rule: 'cycle',
      message:
        `edges form a cycle ${cycle.sessions.join(' → ')}; a cycle must pass through a reporting ` +
        'edge (drawn from a department to the director)',
      edgeId: str(obj(raw[cycle.closingEdge])?.id)
        ? (obj(raw[cycle.closingEdge])!.id as string)
        : undefined,
    });
  }
}

function checkLayout(layout: unknown, byId: Map<string, RawSession>, problems: FileProblem[]) {
  const positions = obj(obj(layout)?.positions);
  if (!positions) return;
  for (const id of Object.keys(positions)) {
    if (!byId.has(id)) {
      problems.push({
        path: pointer(['layout', 'positions', id]),
        rule: 'unknown-session',
        message: `a position for "${id}", but no session has that id`,
      });
    }
  }
}

/** Problems in a version-2 file's topology; `doc` is the parsed JSON, not yet schema-checked. */
export function semanticProblems(doc: Record<string, unknown>): FileProblem[] {
  const problems: FileProblem[] = [];
  const byId = checkSessions(list(doc.sessions), problems);
  checkEdges(list(doc.edges), byId, problems);
  checkLayout(doc.layout, byId, problems);
  return problems;
}
