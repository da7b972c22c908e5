/** The RPC layer: serve the contract over any transport. Electron-free (see transports/ipc-main.ts). */
export { serve, type Connection, type ServeOptions } from './serve';
export { createMemoryPair, type MemoryPair } from './transports/memory';
export { EventPump } from './event-pump';
export type { ServedEngine } from './services';
