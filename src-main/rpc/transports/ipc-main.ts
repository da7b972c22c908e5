/**
 * Electron IPC transport (main side) for one window. The preload's `call` arrives through
 * ipcMain.handle and is answered through the invoke's promise, so each call maps to one
 * request frame; events go out with webContents.send. Every IPC message is checked to come
 * from this window's own top frame and app origin before it is decoded.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { ValidationError } from '../../../src-shared/errors';
import { IPC_CHANNELS, type BridgeReply } from '../../../src-shared/bridge';
import type { ServerFrame, ServerTransport } from '../../../src-shared/protocol';

export interface IpcMainTransportOptions {
  /** Whether a frame URL is the app's own page (file:// of the built renderer, or the dev URL). */
  isTrustedUrl(url: string): boolean;
}

export function createIpcMainTransport(
  ipcMain: IpcMain,
  contents: WebContents,
  options: IpcMainTransportOptions,
): ServerTransport {
  let frameListener: (raw: unknown) => void = () => {};
  const closeListeners: Array<() => void> = [];
  const waiting = new Map<number, (reply: BridgeReply) => void>();
  let nextId = 1;
  let open = true;

  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent) =>
    event.sender === contents &&
    event.senderFrame !== null &&
    event.senderFrame === contents.mainFrame &&
    options.isTrustedUrl(event.senderFrame.url);

  ipcMain.handle(
    IPC_CHANNELS.call,
    (event, payload: unknown): Promise<BridgeReply> | BridgeReply => {
      if (!trusted(event)) {
        return { error: new ValidationError('INVALID_INPUT', 'Untrusted IPC sender.').toJSON() };
      }
      const { method, params } = (payload ?? {}) as { method?: unknown; params?: unknown };
      const id = nextId++;
      let raw: string;
      try {
        // As text, the frame gets exactly the checks a WebSocket frame gets (size, depth, keys).
        raw = JSON.stringify({ type: 'request', id, method, params });
      } catch {
        return { error: new ValidationError('INVALID_FORMAT', 'Params are not JSON.').toJSON() };
      }
      return new Promise<BridgeReply>((resolve) => {
        waiting.set(id, resolve);
        frameListener(raw);
      });
    },
  );
  const onSubscribe = (event: IpcMainEvent, payload: unknown) => {
    if (!trusted(event)) return;
    // Passed on as a frame: the server validates it like any WebSocket subscribe frame.
    const { sinceSeq, digest } = (payload ?? {}) as { sinceSeq?: unknown; digest?: unknown };
    frameListener({
      type: 'subscribe',
      ...(sinceSeq === undefined ? {} : { sinceSeq }),
      ...(digest === undefined ? {} : { digest }),
    });
  };
  ipcMain.on(IPC_CHANNELS.subscribe, onSubscribe);

  const close = () => {
    if (!open) return;
    open = false;
    ipcMain.removeHandler(IPC_CHANNELS.call);
    ipcMain.off(IPC_CHANNELS.subscribe, onSubscribe);
    for (const l of closeListeners) l();
  };
  contents.once('destroyed', close);

  return {
    send(frame: ServerFrame) {
      if (!open || contents.isDestroyed()) return;
      if (frame.type === 'events') return contents.send(IPC_CHANNELS.events, frame);
      if (typeof frame.id !== 'number') return; // a frame-level error; calls always carry an id
      const resolve = waiting.get(frame.id);
      waiting.delete(frame.id);
      resolve?.('error' in frame ? { error: frame.error } : { result: frame.result });
    },
    onFrame: (l) => void (frameListener = l),
    onClose: (l) => void closeListeners.push(l),
    close,
  };
}
