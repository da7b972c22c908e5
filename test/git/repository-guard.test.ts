import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src-shared/errors';
import { workflowDefinitionSchema } from '../../src-shared/workflow';
import { guardParams } from '../../src-main/engine/security/input-guard';

const root = mkdtempSync(join(tmpdir(), 'orch-guard-'));
mkdirSync(join(root, 'app'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const definition = (repository: Record<string, unknown>) => ({
  name: 'w',
  sessions: [],
  edges: [],
  repository,
});

describe('workflow repository settings', () => {
  it('the schema takes path, base and integration branches, worktree root and mode, nothing else', () => {
    const ok = {
      path: '/r',
      baseBranch: 'main',
      worktreeRoot: '/t',
      mode: 'none',
      integrationBranch: 'int',
    };
    expect(workflowDefinitionSchema.safeParse(definition(ok)).success).toBe(true);
    expect(
      workflowDefinitionSchema.safeParse(definition({ path: '/r', mode: 'copy' })).success,
    ).toBe(false);
    expect(
      workflowDefinitionSchema.safeParse(definition({ path: '/r', baseBranch: '--force' })).success,
    ).toBe(false);
    expect(workflowDefinitionSchema.safeParse(definition({ path: '/r', shell: 'x' })).success).toBe(
      false,
    );
  });

  it('the workspace root applies to the repository and the worktree root', () => {
    const inside = { definition: definition({ path: 'app', worktreeRoot: 'trees' }) };
    guardParams('workflows.create', inside, { workspaceRoot: root });
    expect(inside.definition.repository).toEqual({
      path: join(root, 'app'),
      worktreeRoot: join(root, 'trees'),
    });
    for (const repository of [{ path: '/etc' }, { path: 'app', worktreeRoot: '../elsewhere' }]) {
      let error: unknown;
      try {
        guardParams(
          'workflows.create',
          { definition: definition(repository) },
          { workspaceRoot: root },
        );
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OrchestrationError);
      expect((error as OrchestrationError).message).toMatch(/outside the workspace root/);
    }
  });
});
