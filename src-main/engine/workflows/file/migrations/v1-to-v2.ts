/**
 * Version 1 (Orchestration Studio previews): `nodes` with `kind`, `label`, `runnerType`,
 * `runnerConfig`, flat `timeoutMs`/`maxRetries` and inline `x`/`y`; `links` with
 * `source`/`target`/`messageTypes`; a top-level `viewport`; no `apiVersion`.
 * Version 2: `sessions`/`edges` in the engine's shape, positions and viewport under `layout`.
 */
import { z } from 'zod';
import { API_VERSION, SESSION_TYPES } from '../../../../../src-shared/domain';
import { jsonObject } from '../../../../../src-shared/schemas';
import { FILE_FORMAT } from '../schema';
import type { Migration } from './types';

const id = z.string().min(1).max(100);

const v1Node = z.strictObject({
  id,
  kind: z.enum(SESSION_TYPES),
  label: z.string().min(1).max(200),
  runnerType: z.string().min(1).optional(),
  runnerConfig: jsonObject.optional(),
  workspace: z.string().optional(),
  timeoutMs: z.number().optional(),
  maxRetries: z.number().optional(),
  x: z.number(),
  y: z.number(),
});

const v1Link = z.strictObject({
  id,
  source: id,
  target: id,
  messageTypes: z.array(z.string()).optional(),
});

export const v1FileSchema = z.strictObject({
  format: z.literal(FILE_FORMAT),
  version: z.literal(1),
  name: z.string(),
  description: z.string().optional(),
  nodes: z.array(v1Node),
  links: z.array(v1Link),
  settings: jsonObject.optional(),
  viewport: z.strictObject({ x: z.number(), y: z.number(), zoom: z.number() }).optional(),
});
export type V1File = z.infer<typeof v1FileSchema>;

function session(node: V1File['nodes'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: node.id, type: node.kind, name: node.label };
  if (node.runnerType !== undefined) out.runner = { kind: node.runnerType, ...node.runnerConfig };
  if (node.workspace !== undefined) out.workspace = node.workspace;
  if (node.timeoutMs !== undefined || node.maxRetries !== undefined) {
    const limits: Record<string, number> = {};
    if (node.timeoutMs !== undefined) limits.timeoutMs = node.timeoutMs;
    if (node.maxRetries !== undefined) limits.maxRetries = node.maxRetries;
    out.limits = limits;
  }
  return out;
}

const SESSION_FIELDS: Record<string, string> = { type: 'kind', name: 'label' };
const EDGE_FIELDS: Record<string, string> = { from: 'source', to: 'target', types: 'messageTypes' };

function mapSessionPath(rest: string[]): string[] {
  const [field, ...more] = rest;
  if (field === undefined) return [];
  if (field === 'runner') {
    if (more.length === 0 || more[0] === 'kind') return ['runnerType'];
    return ['runnerConfig', ...more];
  }
  if (field === 'limits') return more.length ? more : ['timeoutMs'];
  return [SESSION_FIELDS[field] ?? field, ...more];
}

export const v1ToV2: Migration<V1File> = {
  from: 1,
  summary:
    'nodes/links became sessions/edges, runnerType + runnerConfig became runner, and positions ' +
    'and the viewport moved under layout',
  schema: v1FileSchema,
  migrate(file) {
    const positions: Record<string, { x: number; y: number }> = {};
    for (const n of file.nodes) positions[n.id] = { x: n.x, y: n.y };
    const out: Record<string, unknown> = {
      format: FILE_FORMAT,
      version: 2,
      apiVersion: API_VERSION,
      name: file.name,
      description: file.description,
      sessions: file.nodes.map(session),
      edges: file.links.map((l) => ({
        id: l.id,
        from: l.source,
        to: l.target,
        ...(l.messageTypes ? { types: l.messageTypes } : {}),
      })),
      settings: file.settings,
      layout: { positions, ...(file.viewport ? { viewport: file.viewport } : {}) },
    };
    for (const key of ['description', 'settings']) if (out[key] === undefined) delete out[key];
    return out;
  },
  mapPath(path, file) {
    const [top, index, ...rest] = path.split('/').slice(1);
    if (top === 'sessions' && index !== undefined) {
      return ['', 'nodes', index, ...mapSessionPath(rest)].join('/');
    }
    if (top === 'edges' && index !== undefined) {
      const [field, ...more] = rest;
      const mapped = field === undefined ? [] : [EDGE_FIELDS[field] ?? field, ...more];
      return ['', 'links', index, ...mapped].join('/');
    }
    if (top === 'layout' && index === 'viewport') return ['', 'viewport', ...rest].join('/');
    if (top === 'layout' && index === 'positions' && rest[0] !== undefined) {
      const at = file.nodes.findIndex((n) => n.id === rest[0]);
      return at >= 0 ? `/nodes/${at}` : '/nodes';
    }
    if (top === 'apiVersion') return '';
    return path;
  },
};
