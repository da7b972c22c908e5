/**
 * A fake Electron IPC pair (ipcMain + one window's webContents + its ipcRenderer), close enough
 * to run the real ipc-main transport and the real preload bridge in Node: payloads are
 * structured-cloned both ways, and each message carries its sender and sender frame.
 */
import { EventEmitter } from 'node:events';
import type { IpcMain, WebContents } from 'electron';
import type { BridgeIpc } from '../../src-preload/bridge';

export const APP_URL = 'file:///app/out/renderer/index.html';

export interface FakeIpc {
  ipcMain: IpcMain;
  contents: WebContents;
  renderer: BridgeIpc;
  /** The same renderer API, but as if sent from another frame (an injected iframe). */
  foreignRenderer: BridgeIpc;
  destroy(): void;
}

export function createFakeIpc(): FakeIpc {
  const handlers = new Map<string, (event: unknown, payload: unknown) => unknown>();
  const mainListeners = new EventEmitter();
  const rendererListeners = new EventEmitter();
  const lifecycle = new EventEmitter();
  let destroyed = false;
  const mainFrame = { url: APP_URL };

  const contents = {
    mainFrame,
    send: (channel: string, frame: unknown) =>
      setImmediate(() => rendererListeners.emit(channel, {}, structuredClone(frame))),
    isDestroyed: () => destroyed,
    once: (name: string, l: () => void) => lifecycle.once(name, l),
  } as unknown as WebContents;

  const ipcMain = {
    handle(channel: string, fn: (event: unknown, payload: unknown) => unknown) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
    on: (channel: string, l: (...args: unknown[]) => void) => mainListeners.on(channel, l),
    off: (channel: string, l: (...args: unknown[]) => void) => mainListeners.off(channel, l),
  } as unknown as IpcMain;

  const rendererFor = (frame: { url: string }): BridgeIpc => ({
    async invoke(channel, payload) {
      const fn = handlers.get(channel);
      if (!fn) throw new Error(`No handler registered for '${channel}'`);
      const event = { sender: contents, senderFrame: frame };
      return structuredClone(await fn(event, structuredClone(payload)));
    },
    send(channel, payload) {
      const event = { sender: contents, senderFrame: frame };
      setImmediate(() => mainListeners.emit(channel, event, structuredClone(payload)));
    },
    on: (channel, l) => rendererListeners.on(channel, l),
    removeListener: (channel, l) => rendererListeners.off(channel, l),
  });

  return {
    ipcMain,
    contents,
    renderer: rendererFor(mainFrame),
    foreignRenderer: rendererFor({ url: 'https://evil.example/' }),
    destroy() {
      destroyed = true;
      lifecycle.emit('destroyed');
    },
  };
}
