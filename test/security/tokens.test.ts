/**
 * Stored tokens: created random and shown once, kept as sha256 only, listed without secrets,
 * refused when expired or revoked (INVALID_TOKEN saying which), revocation closing open
 * connections; the printed startup token stays admin; a wrong Origin is refused. Each refusal
 * leaves an audit row.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src-main/engine';
import { hashToken } from '../../src-main/engine/security';
import { WS_POLICY_CLOSE } from '../../src-shared/protocol';
import { codeOfFrame, frameClient, securityRig, sleep, type SecurityRig } from './helpers';

describe('API tokens', () => {
  let rig: SecurityRig;

  beforeAll(async () => {
    rig = await securityRig();
  });
  afterAll(() => rig.cleanup());

  it('creates random tokens, stores only their sha256, lists without secrets', async () => {
    const a = await rig.engine.tokens.create({
      role: 'developer',
      label: 'ci',
      expiresInMs: 7 * 86_400_000,
    });
    const b = await rig.engine.tokens.create({ role: 'developer' });
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^orch_[A-Za-z0-9_-]{43}$/);
    expect(a).toMatchObject({ role: 'developer', label: 'ci' });
    expect(a.expiresAt).toBeGreaterThan(Date.now());
    expect(b).toMatchObject({ expiresAt: null, label: null });
    const listed = await rig.engine.tokens.list();
    const row = listed.find((t) => t.id === a.id)!;
    expect(Object.keys(row).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'label', 'lastUsedAt', 'revokedAt', 'role'].sort(),
    );
    expect(JSON.stringify(listed)).not.toContain(a.token);
    // On disk: the hash, never the token.
    const db = new Database(rig.databasePath, { readonly: true });
    const stored = db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(a.id) as Record<
      string,
      unknown
    >;
    db.close();
    expect(stored.hash).toBe(hashToken(a.token));
    expect(JSON.stringify(stored)).not.toContain(a.token);
    await expect(rig.engine.tokens.authenticate(a.token)).resolves.toMatchObject({
      tokenId: a.id,
      role: 'developer',
    });
    await expect(rig.engine.tokens.create({ role: 'root' as never })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(rig.engine.tokens.revoke('tok_nope')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('authenticate: AUTH_REQUIRED without a token, INVALID_TOKEN for an unknown one', async () => {
    await expect(rig.engine.tokens.authenticate(undefined)).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    await expect(rig.engine.tokens.authenticate('orch_nope')).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
  });

  it('the printed startup token is admin; stored tokens carry their role', async () => {
    const startup = frameClient(rig.server.port, 'startup-token-123');
    expect(await startup.call('engine.info')).toMatchObject({ result: { role: 'admin' } });
    startup.close();
    const observer = frameClient(rig.server.port, rig.tokens.observer.token);
    expect(await observer.call('engine.info')).toMatchObject({ result: { role: 'observer' } });
    observer.close();
  });

  it('refuses an expired token with INVALID_TOKEN (saying expired), and audits it', async () => {
    const t = await rig.engine.tokens.create({ role: 'developer', expiresInMs: 1 });
    await sleep(5);
    await expect(rig.engine.tokens.authenticate(t.token)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
      message: expect.stringContaining('expired'),
    });
    const s = frameClient(rig.server.port, t.token);
    const refusal = await new Promise((r) => s.ws.once('message', (d) => r(JSON.parse(String(d)))));
    expect(refusal).toMatchObject({
      error: { code: 'INVALID_TOKEN', message: expect.stringContaining('expired') },
    });
    expect((await s.closed).code).toBe(WS_POLICY_CLOSE);
    const rows = await rig.engine.audit.list({ outcome: 'INVALID_TOKEN', limit: 10 });
    expect(rows.find((r) => r.tokenId === t.id)).toMatchObject({
      method: 'connect',
      transport: 'websocket',
      detail: 'expired',
    });
  });

  it('a connection is refused calls once its token expires mid-connection', async () => {
    const t = await rig.engine.tokens.create({ role: 'developer', expiresInMs: 300 });
    const s = frameClient(rig.server.port, t.token);
    expect(await s.call('bus.health')).toMatchObject({ result: { status: 'healthy' } });
    await sleep(350);
    expect(codeOfFrame(await s.call('bus.health'))).toBe('INVALID_TOKEN');
    s.close();
  });

  it('refuses a revoked token (saying revoked), closes its open connections, audits', async () => {
    const t = await rig.engine.tokens.create({ role: 'developer', label: 'to revoke' });
    const live = frameClient(rig.server.port, t.token);
    expect(await live.call('bus.health')).toMatchObject({ result: { status: 'healthy' } });
    await rig.engine.tokens.revoke(t.id);
    await live.closed;
    const listed = (await rig.engine.tokens.list()).find((x) => x.id === t.id)!;
    expect(listed.revokedAt).toBeGreaterThan(0);
    expect(listed.lastUsedAt).toBeGreaterThan(0);
    const again = frameClient(rig.server.port, t.token);
    const refusal = await new Promise((r) =>
      again.ws.once('message', (d) => r(JSON.parse(String(d)))),
    );
    expect(refusal).toMatchObject({
      error: { code: 'INVALID_TOKEN', message: expect.stringContaining('revoked') },
    });
    const http = await fetch(`http://127.0.0.1:${rig.server.port}/api/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}` },
      body: JSON.stringify({ method: 'engine.info' }),
    });
    expect(http.status).toBe(401);
    const rows = await rig.engine.audit.list({ outcome: 'INVALID_TOKEN', limit: 10 });
    expect(
      rows
        .filter((r) => r.tokenId === t.id)
        .map((r) => r.transport)
        .sort(),
    ).toEqual(['http', 'websocket']);
  });

  it('closes a connection whose token another process revoked (the CLI on the same database)', async () => {
    const t = await rig.engine.tokens.create({ role: 'developer', label: 'revoked elsewhere' });
    const live = frameClient(rig.server.port, t.token);
    expect(await live.call('bus.health')).toMatchObject({ result: { status: 'healthy' } });
    // Another engine on the same file: its revoke reaches no listener in the server's engine.
    const other = await createEngine({ databasePath: rig.databasePath });
    try {
      await other.tokens.revoke(t.id);
    } finally {
      await other.close();
    }
    const closed = await live.closed;
    expect(closed.code).not.toBe(1006); // closed by the server, not dropped
    const again = frameClient(rig.server.port, t.token);
    const refusal = await new Promise((r) =>
      again.ws.once('message', (d) => r(JSON.parse(String(d)))),
    );
    expect(refusal).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it('refuses a wrong Origin (403 before any upgrade) and audits it', async () => {
    const s = frameClient(rig.server.port, 'startup-token-123', { origin: 'http://evil.example' });
    const status = await new Promise<number>((r) =>
      s.ws.on('unexpected-response', (_req, res) => {
        r(res.statusCode ?? 0);
        res.resume();
      }),
    );
    expect(status).toBe(403);
    const rows = await rig.engine.audit.list({
      method: 'connect',
      outcome: 'FORBIDDEN',
      limit: 10,
    });
    expect(rows[0]).toMatchObject({
      transport: 'websocket',
      detail: expect.stringContaining('evil.example'),
    });
    const api = await fetch(`http://127.0.0.1:${rig.server.port}/api/rpc`, {
      method: 'POST',
      headers: { authorization: 'Bearer startup-token-123', origin: 'http://evil.example' },
      body: JSON.stringify({ method: 'engine.info' }),
    });
    expect(api.status).toBe(403);
  });

  it('audit.list filters by method, outcome and time; retention prunes old rows', async () => {
    const since = Date.now();
    rig.engine.audit.record({
      tokenId: 'x',
      role: 'admin',
      transport: 'test',
      method: 'test.old',
      outcome: 'ok',
      at: since - 91 * 86_400_000,
    });
    rig.engine.audit.record({
      tokenId: 'x',
      role: 'admin',
      transport: 'test',
      method: 'test.new',
      outcome: 'ok',
    });
    expect(await rig.engine.audit.list({ method: 'test.old', limit: 5 })).toHaveLength(1);
    const recent = await rig.engine.audit.list({ since, limit: 100 });
    expect(recent.every((r) => r.at >= since)).toBe(true);
    expect(recent.some((r) => r.method === 'test.new')).toBe(true);
    expect(await rig.engine.audit.prune()).toBeGreaterThanOrEqual(1);
    expect(await rig.engine.audit.list({ method: 'test.old', limit: 5 })).toHaveLength(0);
    expect(await rig.engine.audit.list({ method: 'test.new', limit: 5 })).toHaveLength(1);
    await expect(rig.engine.audit.list({ limit: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it("recorder(): one caller's rows carry who it was made for, control characters replaced", async () => {
    const audit = rig.engine.audit.recorder({
      tokenId: 'rec\u0007tok',
      role: 'developer',
      transport: 'test',
      client: '10.0.0.1',
    });
    audit('test.recorder', 'ok');
    audit('test.recorder', 'RATE_LIMITED', 'retryAfterMs=5\n');
    const rows = await rig.engine.audit.list({ method: 'test.recorder', limit: 5 });
    expect(rows.map((r) => [r.outcome, r.detail])).toEqual([
      ['RATE_LIMITED', 'retryAfterMs=5?'],
      ['ok', null],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({
        tokenId: 'rec?tok',
        role: 'developer',
        transport: 'test',
        client: '10.0.0.1',
      });
    }
  });

  it('retention is applied on start', async () => {
    rig.engine.audit.record({
      tokenId: 'x',
      role: 'admin',
      transport: 'test',
      method: 'test.ancient',
      outcome: 'ok',
      at: 1,
    });
    await rig.engine.audit.flush();
    const { createEngine } = await import('../../src-main/engine');
    const reopened = await createEngine({
      databasePath: rig.databasePath,
      messageQueuePath: `${rig.dir}/q2`,
    });
    try {
      expect(await reopened.audit.list({ method: 'test.ancient', limit: 5 })).toHaveLength(0);
    } finally {
      await reopened.close();
    }
  });
});
