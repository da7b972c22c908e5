/**
 * Hostile input the schemas alone do not catch: workspaces escaping the configured root (by
 * `..`, absolute paths or a symlink), names with control characters, content over the size
 * limit, prototype keys, and floods of connections. Each is answered with a code, nothing is
 * stored half-way, and the server keeps serving everyone else.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWorkflow } from '../../src-main/engine/workflows/file';
import { sampleDefinition } from '../rpc/contract-suite';
import { codeOfFrame, frameClient, resultOf, securityRig, type SecurityRig } from './helpers';

describe('hostile input', () => {
  let rig: SecurityRig;
  let root: string;

  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const base = mkdtempSync(join(tmpdir(), 'orch-ws-root-'));
    root = join(base, 'root');
    mkdirSync(join(root, 'team-a'), { recursive: true });
    mkdirSync(join(base, 'outside'));
    symlinkSync(join(base, 'outside'), join(root, 'sneaky'));
    rig = await securityRig({ workspaceRoot: root, maxConnectionsPerToken: 4 });
  });
  afterAll(() => rig.cleanup());

  it('workspaces must stay inside workspaceRoot; relative ones resolve against it', async () => {
    const c = frameClient(rig.server.port, rig.tokens.developer.token);
    const create = (name: string, workspace: string) =>
      c.call('sessions.create', { type: 'department', name, workspace });
    for (const [i, ws] of [
      '../outside',
      '/etc',
      join(root, '..', 'outside'),
      'sneaky/x',
      'team-a/../../outside',
    ].entries()) {
      const f = await create(`escape-${i}`, ws);
      expect(codeOfFrame(f), ws).toBe('INVALID_INPUT');
      expect((f as { error: { details: { field?: string } } }).error).toMatchObject({
        message: expect.stringContaining('outside the workspace root'),
      });
    }
    expect(
      (await rig.engine.sessions.list({})).filter((s) => s.name.startsWith('escape-')),
    ).toEqual([]);
    const inside = await create('inside', 'team-a');
    expect(resultOf(inside)).toMatchObject({ workspace: join(root, 'team-a') });
    const absolute = await create('inside-abs', join(root, 'team-a', 'new-dir'));
    expect(resultOf(absolute)).toMatchObject({ workspace: join(root, 'team-a', 'new-dir') });
    const s = resultOf(inside) as { id: string };
    expect(
      codeOfFrame(await c.call('sessions.update', { id: s.id, changes: { workspace: '/tmp' } })),
    ).toBe('INVALID_INPUT');
    expect((await rig.engine.sessions.get(s.id))?.workspace).toBe(join(root, 'team-a'));
    // Workflows (create and file import) are checked the same way, and refused whole.
    const def = sampleDefinition('Escaping');
    def.sessions[1]!.workspace = '../../etc';
    expect(codeOfFrame(await c.call('workflows.create', { definition: def }))).toBe(
      'INVALID_INPUT',
    );
    const text = exportWorkflow(def);
    expect(codeOfFrame(await c.call('workflows.importFile', { text }))).toBe('INVALID_INPUT');
    expect(
      (await rig.engine.workflows.list({})).filter((w) => w.definition.name === 'Escaping'),
    ).toEqual([]);
    c.close();
  });

  it('names with control characters are refused everywhere', async () => {
    const c = frameClient(rig.server.port, rig.tokens.developer.token);
    expect(
      codeOfFrame(await c.call('sessions.create', { type: 'director', name: 'bad\u001b[31m' })),
    ).toBe('INVALID_INPUT');
    const def = sampleDefinition('Ctl');
    def.sessions[0]!.name = 'evil\nname';
    expect(codeOfFrame(await c.call('workflows.create', { definition: def }))).toBe(
      'INVALID_INPUT',
    );
    const def2 = sampleDefinition('Ctl\u0007bell');
    expect(codeOfFrame(await c.call('workflows.create', { definition: def2 }))).toBe(
      'INVALID_INPUT',
    );
    expect(
      codeOfFrame(await c.call('bus.publish', { type: 'HEARTBEAT', sender: 'a\u0000b' })),
    ).toBe('INVALID_INPUT');
    expect(
      (await rig.engine.workflows.list({})).filter((w) => w.definition.name.startsWith('Ctl')),
    ).toEqual([]);
    c.close();
  });

  it('content over the size limit is refused with a code; nothing stored', async () => {
    const c = frameClient(rig.server.port, rig.tokens.developer.token);
    const big = 'x'.repeat(1024 * 1024 + 10);
    const f = await c.call('bus.publish', {
      id: 'too-big',
      type: 'HEARTBEAT',
      sender: 'someone',
      content: { big },
    });
    expect(codeOfFrame(f)).toBe('INVALID_MESSAGE');
    expect(await rig.engine.bus.get('too-big')).toBeUndefined();
    // __proto__ / constructor keys anywhere in a frame: INVALID_INPUT before any handler.
    c.sendRaw(
      '{"type":"request","id":"p1","method":"bus.publish","params":{"type":"HEARTBEAT","sender":"s","content":{"__proto__":{"polluted":1}}}}',
    );
    c.sendRaw(
      '{"type":"request","id":"p2","method":"sessions.create","params":{"type":"director","name":"c","constructor":{"prototype":{"x":1}}}}',
    );
    await c.received(3);
    expect(c.orphans.map(codeOfFrame)).toEqual(['INVALID_INPUT', 'INVALID_INPUT']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    c.close();
  });

  it('a flood of connections is refused past the limits; others keep being served', async () => {
    const flood = Array.from({ length: 12 }, () =>
      frameClient(rig.server.port, rig.tokens.observer.token),
    );
    const outcomes = await Promise.all(
      flood.map(async (f) => {
        const first = await Promise.race([
          f.call('bus.health').then((fr) => codeOfFrame(fr) ?? 'ok'),
          f.closed.then(() => 'closed'),
        ]);
        return first;
      }),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 50));
    expect(flood.some((f) => f.orphans.some((o) => codeOfFrame(o) === 'RATE_LIMITED'))).toBe(true);
    // Another token is unaffected.
    const other = frameClient(rig.server.port, rig.tokens.admin.token);
    expect(await other.call('engine.info')).toMatchObject({ result: { role: 'admin' } });
    const rows = await rig.engine.audit.list({
      method: 'connect',
      outcome: 'RATE_LIMITED',
      limit: 50,
    });
    expect(rows.length).toBe(8);
    for (const f of flood) f.close();
    other.close();
  });
});
