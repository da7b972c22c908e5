/** The page side of the canvas bench: Chromium as the e2e tests launch it, frame and heap probes. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { CHROMIUM_FLAGS, ensureChromium } from '../../scripts/chromium.mjs';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    args: CHROMIUM_FLAGS,
    headless: true,
  });
}

/** Counts WebSocket frames and characters the page receives (window.__bench). */
const WS_PROBE = `(() => {
  const probe = (window.__bench = { frames: 0, chars: 0 });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        probe.frames++;
        probe.chars += typeof e.data === 'string' ? e.data.length : e.data.byteLength || e.data.size || 0;
      });
    }
  };
})();`;

export interface OpenPage {
  page: Page;
  cdp: CDPSession;
}

/** Loads the app, opens the workflow from the header's picker and waits for every node and edge. */
export async function openWorkflow(
  browser: Browser,
  url: string,
  workflowId: string,
  nodes: number,
  edges: number,
): Promise<OpenPage> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(WS_PROBE);
  await page.goto(url);
  const picker = page.getByRole('combobox', { name: 'Workflow', exact: true });
  await picker.waitFor({ timeout: 30_000 });
  if ((await picker.inputValue()) !== workflowId) await picker.selectOption(workflowId);
  await page.waitForFunction(
    `document.querySelectorAll('.react-flow__node').length === ${nodes} &&
     document.querySelectorAll('.react-flow__edge').length === ${edges}`,
    undefined,
    { timeout: 60_000, polling: 250 },
  );
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp };
}

/** Bundles the bare React Flow reference page (reference.tsx) into a temporary directory. */
export async function buildReference(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'canvas-reference-'));
  await build({
    entryPoints: [join(import.meta.dirname, 'reference.tsx')],
    bundle: true,
    minify: true,
    format: 'iife', // a module script would not load from file://
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outfile: join(dir, 'reference.js'),
    logLevel: 'warning',
  });
  const root = join(import.meta.dirname, '..', '..');
  copyFileSync(join(root, 'node_modules/@xyflow/react/dist/style.css'), join(dir, 'style.css'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="style.css">
<style>html, body, #root { margin: 0; height: 100%; }</style></head>
<body><div id="root"></div><script src="reference.js"></script></body></html>`,
  );
  return dir;
}

/** Opens the reference page (built by buildReference) with the same viewport as the app. */
export async function openReference(
  browser: Browser,
  dir: string,
  nodes: number,
  edges: number,
): Promise<OpenPage> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(WS_PROBE);
  await page.goto(`${pathToFileURL(join(dir, 'index.html')).href}?nodes=${nodes}&edges=${edges}`);
  await page.waitForFunction(
    `document.querySelectorAll('.react-flow__node').length === ${nodes} &&
     document.querySelectorAll('.react-flow__edge').length === ${edges}`,
    undefined,
    { timeout: 60_000, polling: 250 },
  );
  return { page, cdp: await page.context().newCDPSession(page) };
}

/** Sets the reference page's made-up message rate (per second; 0 stops it). */
export async function setReferenceRate(open: OpenPage, rate: number): Promise<void> {
  await open.page.evaluate(`window.__setRate(${rate})`);
}

/** Used JS heap in MB after a forced GC (CDP), so start and end compare what is retained. */
export async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 2 ** 20;
}

export interface FrameSample {
  /** rAF-to-rAF intervals, ms. */
  frames: number[];
  /** Sum of the counts shown on edge labels, at the start and end of the window. */
  countStart: number;
  countEnd: number;
  wsFrames: number;
  wsChars: number;
  ms: number;
}

// The page-side code is sent as source text: tsx's transform would wrap named functions in a
// `__name` helper that does not exist in the page.
const SHOWN = `() => {
  let sum = 0;
  for (const el of document.querySelectorAll('[data-testid^="edge-count-"] strong')) sum += Number(el.textContent);
  return sum;
}`;

const SAMPLE = `(duration) => {
  const shown = ${SHOWN};
  const probe = window.__bench;
  const ws0 = { ...probe };
  const countStart = shown();
  return new Promise((resolve) => {
    const frames = [];
    const t0 = performance.now();
    let last = -1;
    const step = (t) => {
      if (last >= 0) frames.push(t - last);
      last = t;
      if (t - t0 < duration) requestAnimationFrame(step);
      else
        resolve({
          frames,
          countStart,
          countEnd: shown(),
          wsFrames: probe.frames - ws0.frames,
          wsChars: probe.chars - ws0.chars,
          ms: performance.now() - t0,
        });
    };
    requestAnimationFrame(step);
  });
}`;

/** Samples requestAnimationFrame intervals for `ms` inside the page. */
export function sampleFrames(page: Page, ms: number): Promise<FrameSample> {
  return page.evaluate(`(${SAMPLE})(${ms})`) as Promise<FrameSample>;
}

const COUNTS = `(() => {
  const out = {};
  for (const el of document.querySelectorAll('[data-testid^="edge-count-"]')) {
    out[el.dataset.testid.slice('edge-count-'.length)] = Number(el.querySelector('strong')?.textContent ?? 0);
  }
  return out;
})()`;

/** Every edge label's count, by edge id. */
export function edgeCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(COUNTS) as Promise<Record<string, number>>;
}
