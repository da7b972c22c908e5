/**
 * The WebSocket bridge on a real socket: token refusal with codes, Host/Origin refusal, hostile
 * frames answered while the server keeps serving, and event resume across a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src-main/server';
import { MAX_FRAME_BYTES, WS_POLICY_CLOSE } from '../../src-shared/protocol';
import type { StreamEvent } from '../../src-shared/stream';
import { createClient, createWebSocketTransport } from '../../src-renderer/src/rpc';
import { tempEngine, waitFor } from '../helpers/temp-engine';
import { NodeWebSocket } from '../rpc/harness';
import { opened, rawSocket, serverRig, type ServerRig } from './helpers';

describe('WebSocket bridge', () => {
  let rig: ServerRig;
  let port: number;

  beforeAll(async () => {
    rig = await serverRig();
    port = rig.server.port;
  });
  afterAll(() => rig.cleanup());

  const errorCode = (frame: { type: string }) =>
    'error' in frame ? (frame as { error: { code: string } }).error.code : undefined;

  it('refuses a missing token with AUTH_REQUIRED and a policy close', async () => {
    const s = rawSocket(port, '/ws');
    expect(errorCode(await s.next())).toBe('AUTH_REQUIRED');
    expect((await s.closed).code).toBe(WS_POLICY_CLOSE);
  });

  it('refuses a wrong token with INVALID_TOKEN', async () => {
    const s = rawSocket(port, '/ws?token=wrong-token');
    expect(errorCode(await s.next())).toBe('INVALID_TOKEN');
    expect((await s.closed).code).toBe(WS_POLICY_CLOSE);
  });

  it('the client surfaces the auth code and does not retry a refused token', async () => {
    const client = createClient(
      createWebSocketTransport(`ws://127.0.0.1:${port}/ws?token=wrong`, {
        WebSocketImpl: NodeWebSocket,
        minDelayMs: 10,
      }),
    );
    await expect(client.engine.info()).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await waitFor(() => client.status === 'connecting', 'closed');
    client.close();
  });

  it('refuses a foreign Origin or Host before upgrading', async () => {
    const origin = rawSocket(port, '/ws?token=test-token-123', { origin: 'http://evil.example' });
    expect(await origin.refused).toBe(403);
    const host = rawSocket(port, '/ws?token=test-token-123', { host: 'rebound.example' });
    expect(await host.refused).toBe(403);
    const path = rawSocket(port, '/elsewhere?token=test-token-123');
    expect(await path.refused).toBe(404);
  });

  it('accepts its own Origin', async () => {
    const s = rawSocket(port, '/ws?token=test-token-123', { origin: `http://127.0.0.1:${port}` });
    await opened(s.ws);
    s.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'bus.health' }));
    expect(await s.next()).toMatchObject({ id: 1, result: { status: 'healthy' } });
    s.ws.close();
  });

  it('answers hostile frames with codes and keeps serving', async () => {
    const s = rawSocket(port, '/ws?token=test-token-123');
    await opened(s.ws);
    s.ws.send('not json at all');
    expect(errorCode(await s.next())).toBe('INVALID_FORMAT');
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(errorCode(await s.next())).toBe('INVALID_FORMAT');
    s.ws.send(
      JSON.stringify({ type: 'request', id: 2, method: 'x', params: 'y'.repeat(MAX_FRAME_BYTES) }),
    );
    expect(errorCode(await s.next())).toBe('INVALID_FORMAT');
    s.ws.send(JSON.stringify({ type: 'request', id: 3, method: 'engine.rootShell' }));
    expect(await s.next()).toMatchObject({ id: 3, error: { code: 'INVALID_INPUT' } });
    s.ws.send(
      JSON.stringify({ type: 'request', id: 4, method: 'sessions.create', params: { type: 1 } }),
    );
    expect(await s.next()).toMatchObject({ id: 4, error: { code: 'INVALID_INPUT' } });
    s.ws.send(JSON.stringify({ type: 'request', id: 5, method: 'bus.health' }));
    expect(await s.next()).toMatchObject({ id: 5, result: { status: 'healthy' } });
    s.ws.close();
    // Other clients were never affected.
    const other = rawSocket(port, '/ws?token=test-token-123');
    await opened(other.ws);
    other.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'engine.info' }));
    expect(await other.next()).toMatchObject({ id: 1, result: { apiVersion: '1.0.0' } });
    other.ws.close();
  });

  it('a frame beyond the hard cap closes only that socket (1009)', async () => {
    const s = rawSocket(port, '/ws?token=test-token-123');
    await opened(s.ws);
    s.ws.send('x'.repeat(MAX_FRAME_BYTES * 4 + 1));
    expect((await s.closed).code).toBe(1009);
    const other = rawSocket(port, '/ws?token=test-token-123');
    await opened(other.ws);
    other.ws.close();
  });
});

describe('connection limit', () => {
  it('refuses connections beyond the limit and keeps serving the others', async () => {
    const rig = await serverRig({ maxConnections: 2 });
    try {
      const path = '/ws?token=test-token-123';
      const a = rawSocket(rig.server.port, path);
      const b = rawSocket(rig.server.port, path);
      await Promise.all([opened(a.ws), opened(b.ws)]);
      expect(await rawSocket(rig.server.port, path).refused).toBe(503);
      a.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'bus.health' }));
      expect(await a.next()).toMatchObject({ id: 1, result: { status: 'healthy' } });
      a.ws.close();
      b.ws.close();
    } finally {
      await rig.cleanup();
    }
  });
});

describe('WebSocket resume across a server restart', () => {
  it('reconnects and receives every event exactly once', async () => {
    const temp = await tempEngine();
    let server = await startServer({ engine: temp.engine, token: 'resume-token-1' });
    const port = server.port;
    const client = createClient(
      createWebSocketTransport(`ws://127.0.0.1:${port}/ws?token=resume-token-1`, {
        WebSocketImpl: NodeWebSocket,
        minDelayMs: 20,
        maxDelayMs: 100,
      }),
      { sinceSeq: 0 },
    );
    const events: StreamEvent[] = [];
    client.onEvents((batch) => events.push(...batch));
    const publish = async (n: number, name: string) => {
      const d = await temp.engine.sessions.create({ type: 'director', name });
      await temp.engine.bus.publishBatch(
        Array.from({ length: n }, () => ({
          type: 'HEARTBEAT' as const,
          sender: d.id,
          receiver: 'nobody',
        })),
      );
    };
    try {
      await publish(20, 'before-restart');
      await waitFor(() => events.length >= 21, 'first events');
      await server.close();
      await waitFor(() => client.status === 'connecting', 'disconnect noticed');
      await publish(100, 'while-down');
      server = await startServer({ engine: temp.engine, token: 'resume-token-1', port });
      await waitFor(() => client.status === 'open', 'reconnected');
      await publish(10, 'after-restart');
      // 3 sessions created + 130 messages published; the stream commits events a tick later.
      await waitFor(() => events.length >= 133, 'all events');
      expect(client.lastSeq).toBe(temp.engine.stream.lastSeq());
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(seqs.length).toBeGreaterThanOrEqual(133);
    } finally {
      client.close();
      await server.close();
      await temp.cleanup();
    }
  });
});
