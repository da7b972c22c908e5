/**
 * Three builds with explicit entries (electron-vite's defaults expect src/main …):
 * - main (ESM, Node): the Electron entry, the worker-thread entry (resolved at run time as
 *   `new URL('./worker.js', import.meta.url)`, see src-main/engine/pool/worker-url.ts) and the
 *   CLI (`orchestration serve` runs out/main/cli.js under plain Node);
 * - preload (CommonJS: a sandboxed preload cannot be an ES module);
 * - renderer (React), with the CSP written into index.html for Electron's file:// page.
 * Dependencies stay external (electron-vite externalizes `dependencies`), so native modules
 * such as better-sqlite3 load from node_modules.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './src-shared/csp';

const root = import.meta.dirname;

function cspMeta(): Plugin {
  return {
    name: 'orchestration-csp-meta',
    apply: 'build', // the dev server injects an inline React Refresh preamble the CSP would block
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head',
      },
    ],
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/index.ts'),
          worker: resolve(root, 'src-main/engine/pool/worker.mjs'),
          cli: resolve(root, 'src-main/cli.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          // Shared code stays beside the entries so import.meta.url-relative lookups
          // (./worker.js, ../renderer) resolve the same from every chunk.
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react(), cspMeta()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
