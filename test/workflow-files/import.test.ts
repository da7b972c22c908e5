import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contentHash,
  exportStoredWorkflow,
  exportWorkflow,
  importWorkflowFile,
  InMemoryTrustStore,
  type WorkflowFileServices,
} from '../../src-main/engine/workflows/file';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';
import { refusalOf } from './helpers';
import { fixture, sampleDefinition } from './samples';

let t: TempEngine;
let services: WorkflowFileServices;
beforeEach(async () => {
  t = await tempEngine();
  services = { workflows: t.engine.workflows, trust: new InMemoryTrustStore() };
});
afterEach(async () => {
  await t.cleanup();
});

describe('import and export through the engine’s workflow service', () => {
  it('stores an imported file untrusted, with what it would run, and runs nothing', async () => {
    const text = exportWorkflow(sampleDefinition());
    const result = await importWorkflowFile(services, text);
    expect(result.workflow.revision).toBe(1);
    expect(result.trusted).toBe(false);
    expect(result.contentHash).toBe(contentHash(sampleDefinition()));
    expect(result.whatItRuns.map((w) => w.kind)).toEqual([
      'fan-out',
      'script',
      'shell',
      'claude',
      'none',
    ]);
    expect(await t.engine.workflows.list()).toHaveLength(1);
    expect(await t.engine.runs.list()).toEqual([]);

    const exported = await exportStoredWorkflow(services, result.workflow.id);
    expect(exported.text).toBe(text);
    expect(exported.fileName).toBe('sample-every-runner.orchestration.json');
    expect((await exportStoredWorkflow(services, 'Sample — every runner')).text).toBe(text);
  });

  it('says an import is trusted when the same content was trusted before', async () => {
    await services.trust!.trust({ hash: contentHash(sampleDefinition()), trustedAt: 1 });
    const result = await importWorkflowFile(services, exportWorkflow(sampleDefinition()));
    expect(result.trusted).toBe(true);
  });

  it('on a name clash refuses by default, or renames, or replaces', async () => {
    const text = exportWorkflow(sampleDefinition());
    const first = await importWorkflowFile(services, text);

    const clash = await refusalOf(importWorkflowFile(services, text));
    expect(clash.code).toBe('DUPLICATE_ENTRY');
    expect(clash.details).toMatchObject({
      existingId: first.workflow.id,
      suggestedName: 'Sample — every runner (copy)',
    });

    const copy = await importWorkflowFile(services, text, { onNameClash: 'rename' });
    expect(copy.workflow.definition.name).toBe('Sample — every runner (copy)');
    const copy2 = await importWorkflowFile(services, text, { onNameClash: 'rename' });
    expect(copy2.workflow.definition.name).toBe('Sample — every runner (copy 2)');

    const replaced = await importWorkflowFile(services, text, { onNameClash: 'replace' });
    expect(replaced.replaced).toBe(first.workflow.id);
    expect(replaced.workflow.id).toBe(first.workflow.id);
    expect(replaced.workflow.revision).toBe(2);
    expect(await t.engine.workflows.list()).toHaveLength(3);
  });

  it('imports a version-1 file, migrated, and exports it as version 2', async () => {
    const result = await importWorkflowFile(services, fixture('v1', 'review.orchestration.json'));
    expect(result.migratedFrom).toBe(1);
    expect(result.warnings[0]!.message).toMatch(/^Migrated from file format version 1/);
    const exported = await exportStoredWorkflow(services, result.workflow.id);
    expect(JSON.parse(exported.text)).toEqual(
      JSON.parse(fixture('v1', 'review.expected-v2.orchestration.json').toString()),
    );
  });

  it('export of an unknown workflow is INVALID_INPUT', async () => {
    expect((await refusalOf(exportStoredWorkflow(services, 'nope'))).code).toBe('INVALID_INPUT');
  });
});
