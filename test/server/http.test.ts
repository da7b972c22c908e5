/** The HTTP side of browser mode: token, Host and Origin checks, the static renderer, /api/rpc. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, rpcBody, serverRig, type ServerRig } from './helpers';

describe('browser-mode HTTP server', () => {
  let rig: ServerRig;
  let port: number;
  const host = () => ({ host: `127.0.0.1:${port}` });

  beforeAll(async () => {
    const temp = (await import('../helpers/temp-engine')).tempDir();
    const rendererDir = join(temp, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Studio</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(temp, 'secret.txt'), 'secret');
    rig = await serverRig({ rendererDir });
    port = rig.server.port;
  });
  afterAll(() => rig.cleanup());

  it('prints a URL on 127.0.0.1 with the token', () => {
    expect(rig.server.url).toBe(`http://127.0.0.1:${port}/?token=test-token-123`);
    expect(rig.server.host).toBe('127.0.0.1');
  });

  it('answers the API with a token, by query or bearer header', async () => {
    const byQuery = await http(port, '/api/rpc?token=test-token-123', {
      method: 'POST',
      body: rpcBody('engine.info'),
    });
    expect(byQuery.status).toBe(200);
    expect(JSON.parse(byQuery.body).result.role).toBe('admin');
    const byHeader = await http(port, '/api/rpc', {
      method: 'POST',
      headers: { authorization: 'Bearer test-token-123' },
      body: rpcBody('sessions.create', { type: 'director', name: 'http-director' }),
    });
    expect(JSON.parse(byHeader.body).result.name).toBe('http-director');
  });

  it('refuses the API without a token (AUTH_REQUIRED) or with a wrong one (INVALID_TOKEN)', async () => {
    const none = await http(port, '/api/rpc', { method: 'POST', body: rpcBody('engine.info') });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('AUTH_REQUIRED');
    const wrong = await http(port, '/api/rpc?token=nope', {
      method: 'POST',
      body: rpcBody('engine.info'),
    });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe('INVALID_TOKEN');
  });

  it('answers bad API calls with codes', async () => {
    const post = (body: string) =>
      http(port, '/api/rpc?token=test-token-123', { method: 'POST', body }).then((r) => ({
        status: r.status,
        code: JSON.parse(r.body).error?.code,
      }));
    expect(await post('not json')).toEqual({ status: 400, code: 'INVALID_FORMAT' });
    expect(await post(rpcBody('no.such'))).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await post(rpcBody('sessions.create', { type: 'director' }))).toEqual({
      status: 400,
      code: 'MISSING_FIELD',
    });
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    for (const h of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      const r = await http(port, '/api/rpc?token=test-token-123', {
        method: 'POST',
        headers: { host: h },
        body: rpcBody('engine.info'),
      });
      expect(r.status).toBe(403);
      expect((await http(port, '/', { headers: { host: h } })).status).toBe(403);
    }
    expect((await http(port, '/', { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses a foreign Origin', async () => {
    const r = await http(port, '/api/rpc?token=test-token-123', {
      method: 'POST',
      headers: { ...host(), origin: 'http://evil.example' },
      body: rpcBody('engine.info'),
    });
    expect(r.status).toBe(403);
    const same = await http(port, '/api/rpc?token=test-token-123', {
      method: 'POST',
      headers: { ...host(), origin: `http://127.0.0.1:${port}` },
      body: rpcBody('engine.info'),
    });
    expect(same.status).toBe(200);
  });

  it('serves the renderer without a token, with a CSP', async () => {
    const page = await http(port, '/?token=whatever');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Studio</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const asset = await http(port, '/assets/app.js');
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect((await http(port, '/some/client/route')).body).toContain('<title>Studio</title>');
    expect((await http(port, '/missing.js')).status).toBe(404);
  });

  it('never serves files outside the renderer directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await http(port, path);
      expect(r.body).not.toContain('secret');
    }
  });

  it('says how to build when the renderer is not built', async () => {
    const empty = await serverRig({ rendererDir: '/nonexistent/renderer' });
    try {
      const r = await http(empty.server.port, '/');
      expect(r.status).toBe(503);
      expect(r.body).toContain('npm run build');
    } finally {
      await empty.cleanup();
    }
  });
});
