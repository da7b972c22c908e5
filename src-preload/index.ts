/**
 * The preload exposes ONE narrow object, `window.orchestration`: call a contract method, listen
 * to event batches, (re)subscribe from a sequence number. No generic channel access: the
 * channel names are fixed in the bridge and the main process validates everything that arrives.
 * Built as CommonJS because sandboxed preloads cannot be ES modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('orchestration', createBridge(ipcRenderer));
