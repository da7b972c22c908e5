/** Workflows the file tests share: one of every runner kind, and the app's example workflows. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowDefinition } from '../../src-shared/workflow';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'resources', 'fixtures', 'workflows');

/** sessions: 0 director, 1 lint (script), 2 build (shell), 3 review (claude), 4 watcher (observer). */
export function sampleDefinition(): WorkflowDefinition {
  return {
    name: 'Sample — every runner',
    description: 'Used by the workflow-file tests. Ünïcode stays as written: 日本語.',
    sessions: [
      {
        id: 'director',
        type: 'director',
        name: 'Director',
        runner: { kind: 'fan-out' },
        position: { x: 0, y: 160 },
      },
      {
        id: 'lint',
        type: 'department',
        name: 'Lint',
        runner: {
          kind: 'script',
          source: 'async function handle(message, ctx) {\n  return { ok: true };\n}',
          timeoutMs: 5000,
        },
        limits: { timeoutMs: 30_000, maxRetries: 1 },
        position: { x: 320, y: 0 },
      },
      {
        id: 'build',
        type: 'department',
        name: 'Build',
        runner: {
          kind: 'shell',
          command: 'npm',
          args: ['run', 'build', '--', '--out dir'],
          env: { NODE_ENV: 'production' },
        },
        workspace: '/workspace/app',
        position: { x: 320, y: 160 },
      },
      {
        id: 'review',
        type: 'department',
        name: 'Review',
        runner: {
          kind: 'claude',
          model: 'claude-sonnet-4-5',
          system: 'You review pull requests.\nBe brief.',
          maxTokens: 2048,
        },
        position: { x: 320, y: 320 },
      },
      { id: 'watcher', type: 'observer', name: 'Watcher', position: { x: 640, y: 160 } },
    ],
    edges: [
      { id: 'e-lint', from: 'director', to: 'lint' },
      {
        id: 'e-build',
        from: 'director',
        to: 'build',
        types: ['COMMAND', 'COMPLETION_NOTIFICATION'],
      },
      { id: 'e-review', from: 'director', to: 'review' },
    ],
    settings: { zeta: 1, alpha: { nested: [3, 2, 1], beta: true }, exampleInput: { pr: 42 } },
    repository: { path: '/workspace/app', baseBranch: 'main', mode: 'worktree' },
    viewport: { x: -12.5, y: 40, zoom: 0.8 },
  };
}

/** resources/examples/*.json: stored definitions the app ships (empty if none exist yet). */
export function exampleDefinitions(): Array<[string, WorkflowDefinition]> {
  const dir = join(ROOT, 'resources', 'examples');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((n) => [n, JSON.parse(readFileSync(join(dir, n), 'utf8')) as WorkflowDefinition]);
}

export function fixture(...parts: string[]): Buffer {
  return readFileSync(join(FIXTURES, ...parts));
}
