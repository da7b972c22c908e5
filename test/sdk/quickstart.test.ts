import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { OrchestrationClient } from '../../sdk/src';
import { tempDir } from '../helpers/temp-engine';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function checkQuickstartResult(cwd: string) {
  const client = new OrchestrationClient({ databasePath: join(cwd, 'orchestration.db') });
  try {
    const director = await client.sessions.get('main-director');
    expect(director).toMatchObject({
      type: 'director',
      workspace: '/workspace/main',
      status: 'initializing',
    });
    const waiting = await client.messageBus.mailbox('department-1');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({
      type: 'COMMAND',
      sender: director!.id,
      receiver: 'department-1',
      content: { action: 'process_data', data: {} },
      state: 'pending',
    });
  } finally {
    await client.close();
  }
  // messageQueuePath was honoured, and a clean exit leaves no crash marker behind.
  expect(existsSync(join(cwd, '.orchestration', 'queue'))).toBe(true);
  expect(readdirSync(join(cwd, '.orchestration', 'queue'))).toEqual([]);
}

describe('the SPEC quick start, as written', () => {
  it('runs as JavaScript (sdk/examples/quickstart.mjs) with plain node', async () => {
    const cwd = tempDir();
    dirs.push(cwd);
    await run(process.execPath, [join(root, 'sdk/examples/quickstart.mjs')], { cwd });
    await checkQuickstartResult(cwd);
  });

  it('runs as TypeScript (sdk/examples/quickstart.ts) with tsx', async () => {
    const cwd = tempDir();
    dirs.push(cwd);
    await run(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'sdk/examples/quickstart.ts')],
      {
        cwd,
      },
    );
    await checkQuickstartResult(cwd);
  });

  it('delivers the waiting command once department-1 exists and subscribes', async () => {
    const cwd = tempDir();
    dirs.push(cwd);
    await run(process.execPath, [join(root, 'sdk/examples/quickstart.mjs')], { cwd });
    const client = new OrchestrationClient({ databasePath: join(cwd, 'orchestration.db') });
    try {
      await client.sessions.create({ type: 'department', name: 'department-1' });
      const got = await new Promise<unknown>((resolve) => {
        client.messageBus.subscribe({ receivers: ['department-1'] }, (m) => resolve(m.content));
      });
      expect(got).toEqual({ action: 'process_data', data: {} });
    } finally {
      await client.close();
    }
  });

  it('reports a missing databasePath and calls after close with codes', async () => {
    expect(() => new OrchestrationClient({} as never)).toThrowError(/databasePath/);
    const cwd = tempDir();
    dirs.push(cwd);
    const client = new OrchestrationClient({ databasePath: join(cwd, 'o.db') });
    expect(await client.apiVersion()).toBe('1.0.0');
    await client.close();
    await expect(client.sessions.list()).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
