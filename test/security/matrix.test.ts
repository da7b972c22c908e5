/**
 * Every contract method × every role → allowed or FORBIDDEN, over WebSocket (stored tokens of
 * each role, through the real server) and in-process (memory transport). Params are made
 * invalid on purpose (an unknown key): the role check comes first, so a forbidden call is
 * FORBIDDEN and an allowed one reaches validation (INVALID_INPUT) — and nothing is changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, contract, type MethodName, type Role } from '../../src-shared/contract';
import { ADMIN_ONLY } from '../../src-main/rpc/permissions';
import {
  ROLES_ALL,
  codeOfFrame,
  frameClient,
  memoryClient,
  securityRig,
  type SecurityRig,
} from './helpers';

/** What SPEC.md says, written independently of permissions.ts. */
function expectedAllowed(role: Role, method: MethodName): boolean {
  const permission = contract[method].permission as string;
  if (role === 'admin') return true;
  if (role === 'observer') return permission === 'read';
  return !ADMIN_ONLY.has(permission);
}

const MUTATING_VERB =
  /\.(create|update|delete|terminate|publish|publishBatch|requeue|acknowledge|reject|start|cancel|answer|restore|fork|import\w*|trust|revoke)$/;

const BAD_PARAMS = { __matrixProbe: 1 };

describe('permission matrix', () => {
  let rig: SecurityRig;

  beforeAll(async () => {
    rig = await securityRig();
  });
  afterAll(() => rig.cleanup());

  it('every method that changes something needs more than read', () => {
    const mistagged = METHOD_NAMES.filter(
      (m) => MUTATING_VERB.test(m) && contract[m].permission === 'read',
    );
    expect(mistagged).toEqual([]);
  });

  async function runMatrix(
    call: (role: Role, method: MethodName) => Promise<string | undefined>,
  ): Promise<void> {
    const wrong: string[] = [];
    for (const role of ROLES_ALL) {
      for (const method of METHOD_NAMES) {
        const code = await call(role, method);
        const allowed = expectedAllowed(role, method);
        const ok = allowed ? code !== 'FORBIDDEN' && code !== undefined : code === 'FORBIDDEN';
        if (!ok)
          wrong.push(
            `${role} ${method}: ${code ?? 'succeeded'} (expected ${allowed ? 'allowed' : 'FORBIDDEN'})`,
          );
      }
    }
    expect(wrong).toEqual([]);
  }

  it('over WebSocket, with stored tokens of each role', async () => {
    const before = await rig.engine.sessions.list({});
    const clients = Object.fromEntries(
      ROLES_ALL.map((r) => [r, frameClient(rig.server.port, rig.tokens[r].token)]),
    ) as Record<Role, ReturnType<typeof frameClient>>;
    await Promise.all(ROLES_ALL.map((r) => clients[r].opened));
    for (const role of ROLES_ALL) {
      const info = await clients[role].call('engine.info');
      expect(info).toMatchObject({ result: { role } });
    }
    await runMatrix(async (role, method) =>
      codeOfFrame(await clients[role].call(method, BAD_PARAMS)),
    );
    for (const c of Object.values(clients)) c.close();
    expect(await rig.engine.sessions.list({})).toEqual(before);
    // Each refusal is in the audit log, with who and how.
    const forbidden = await rig.engine.audit.list({ outcome: 'FORBIDDEN', limit: 10_000 });
    const expected =
      METHOD_NAMES.filter((m) => !expectedAllowed('observer', m)).length +
      METHOD_NAMES.filter((m) => !expectedAllowed('developer', m)).length;
    expect(forbidden.filter((r) => r.transport === 'websocket')).toHaveLength(expected);
    expect(forbidden[0]).toMatchObject({
      transport: 'websocket',
      tokenId: expect.stringMatching(/^tok_/),
    });
  });

  it('in-process, over the memory transport', async () => {
    const clients = Object.fromEntries(
      ROLES_ALL.map((role) => [role, memoryClient(rig.engine, { role })]),
    ) as Record<Role, ReturnType<typeof memoryClient>>;
    await runMatrix(async (role, method) =>
      codeOfFrame(await clients[role].call(method, BAD_PARAMS)),
    );
    const rows = await rig.engine.audit.list({ outcome: 'FORBIDDEN', limit: 10_000 });
    expect(rows.some((r) => r.transport === 'in-process' && r.tokenId === 'local:observer')).toBe(
      true,
    );
    for (const c of Object.values(clients)) c.close();
  });

  it('over HTTP /api/rpc too (a sample: observers cannot create, can read)', async () => {
    const post = (token: string, method: string, params?: unknown) =>
      fetch(`http://127.0.0.1:${rig.server.port}/api/rpc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ method, params }),
      });
    const refused = await post(rig.tokens.observer.token, 'sessions.create', {
      type: 'director',
      name: 'x',
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const read = await post(rig.tokens.observer.token, 'sessions.list', {});
    expect(read.status).toBe(200);
    const made = await post(rig.tokens.developer.token, 'sessions.create', {
      type: 'director',
      name: 'http-dev',
    });
    expect(made.status).toBe(200);
    const rows = await rig.engine.audit.list({ method: 'sessions.create', limit: 10 });
    expect(rows[0]).toMatchObject({ outcome: 'ok', transport: 'http', role: 'developer' });
    expect(rows[1]).toMatchObject({ outcome: 'FORBIDDEN', transport: 'http', role: 'observer' });
  });
});
