/**
 * The Electron path without Electron: the real ipc-main transport and the real preload bridge
 * over a fake IPC pair. Every contract method runs over it; untrusted frames are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src-main/rpc';
import { createIpcMainTransport } from '../../src-main/rpc/transports/ipc-main';
import { createBridge } from '../../src-preload/bridge';
import { createBridgeTransport, createClient } from '../../src-renderer/src/rpc';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { describeContract } from './contract-suite';
import { APP_URL, createFakeIpc } from './fake-ipc';

describeContract('ipc');

describe('IPC sender checks', () => {
  let temp: TempEngine;
  const ipc = createFakeIpc();

  beforeAll(async () => {
    temp = await tempEngine();
    const transport = createIpcMainTransport(ipc.ipcMain, ipc.contents, {
      isTrustedUrl: (url) => url === APP_URL,
    });
    serve(temp.engine, transport, { role: 'admin' });
  });
  afterAll(() => temp.cleanup());

  it('answers the app page', async () => {
    const reply = await createBridge(ipc.renderer).call('bus.health');
    expect(reply).toMatchObject({ result: { status: 'healthy' } });
  });

  it('refuses a call from another frame', async () => {
    const reply = await createBridge(ipc.foreignRenderer).call('sessions.create', {
      type: 'director',
      name: 'from-iframe',
    });
    expect(reply).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await temp.engine.sessions.list()).toHaveLength(0);
  });

  it('answers malformed IPC payloads with codes', async () => {
    const bridge = createBridge(ipc.renderer);
    expect(await bridge.call(42 as unknown as string)).toMatchObject({
      error: { code: 'INVALID_FORMAT' },
    });
    const deep = JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown;
    expect(await bridge.call('bus.stats', deep)).toMatchObject({
      error: { code: 'INVALID_FORMAT' },
    });
  });

  it('streams events to the window, resuming from a seq', async () => {
    const client = createClient(createBridgeTransport(createBridge(ipc.renderer)), { sinceSeq: 0 });
    const kinds: string[] = [];
    client.onEvents((events) => kinds.push(...events.map((e) => e.kind)));
    await temp.engine.sessions.create({ type: 'director', name: 'ipc-events' });
    await waitFor(() => kinds.includes('session.created'), 'session.created over IPC');
  });

  it('passes a digest subscription through: message traffic arrives folded, not per event', async () => {
    const client = createClient(createBridgeTransport(createBridge(ipc.renderer)), {
      digest: true,
    });
    const kinds: string[] = [];
    let published = 0;
    client.onEvents((events, _seq, traffic) => {
      kinds.push(...events.map((e) => e.kind));
      published += traffic?.published ?? 0;
    });
    await waitFor(() => client.lastSeq !== undefined, 'subscription position');
    const d = await temp.engine.sessions.create({ type: 'director', name: 'ipc-digest' });
    await temp.engine.bus.publishBatch(
      Array.from({ length: 50 }, () => ({
        type: 'HEARTBEAT' as const,
        sender: d.id,
        receiver: 'ipc-digest-x',
      })),
    );
    await waitFor(() => published === 50, '50 messages counted in digests');
    expect(kinds).not.toContain('message.published');
    client.close();
  });

  it('stops serving when the window is destroyed', async () => {
    ipc.destroy();
    await expect(createBridge(ipc.renderer).call('bus.health')).rejects.toThrow(/No handler/);
  });
});
