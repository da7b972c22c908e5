/**
 * Saving a trusted workflow with a repository prepares its worktrees ahead of the first Run;
 * an imported (untrusted) one leaves the repository it names alone.
 */
import { afterEach, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { makeRepo, type Fixture } from './repo-fixture';

const fixtures: Fixture[] = [];
let t: TempEngine;
afterEach(async () => {
  await t.cleanup();
  for (const f of fixtures.splice(0)) f.cleanup();
});

const definition = (name: string, fx: Fixture): WorkflowDefinition =>
  ({
    name,
    sessions: [
      { id: 'd', type: 'director', name: 'Lead', position: { x: 0, y: 0 } },
      ...['Front', 'Back'].map((n, i) => ({
        id: n,
        type: 'department' as const,
        name: n,
        runner: { kind: 'claude-code', model: 'claude-sonnet-4-5' },
        position: { x: i * 200, y: 200 },
      })),
    ],
    edges: [
      { id: 'e1', from: 'd', to: 'Front' },
      { id: 'e2', from: 'd', to: 'Back' },
    ],
    repository: { path: fx.repo, worktreeRoot: fx.worktreeRoot },
  }) as WorkflowDefinition;

it('a saved workflow gets ready worktrees for its departments; an imported one does not', async () => {
  const trusted = makeRepo();
  const foreign = makeRepo();
  fixtures.push(trusted, foreign);
  t = await tempEngine();
  const { engine } = t;
  const ready = (fx: Fixture) =>
    engine.workspaces.spareWorktrees().filter((s) => s.state === 'ready' && s.repoRoot === fx.repo)
      .length;

  const wf = await engine.workflows.create(definition('Team', trusted));
  const exported = await engine.files.export(wf.id);
  const text = exported.text.replaceAll(trusted.dir, foreign.dir);
  expect(text).toContain(foreign.repo);
  const copy = await engine.files.import(
    text.replaceAll(trusted.worktreeRoot, foreign.worktreeRoot),
    {
      onNameClash: 'rename',
    },
  );
  expect(copy.trusted).toBe(false);

  await waitFor(() => ready(trusted) === 2, 'two ready worktrees', 60_000);
  expect(ready(foreign)).toBe(0);
  expect(
    engine.workspaces.spareWorktrees().some((s) => s.path.startsWith(foreign.worktreeRoot)),
  ).toBe(false);
}, 90_000);
