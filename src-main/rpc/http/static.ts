/**
 * Serves the built renderer (out/renderer). Paths are resolved inside the root only; unknown
 * paths without an extension fall back to index.html (client-side routes). When the renderer is
 * not built, every page says how to build it instead of a bare 404.
 */
import { existsSync, statSync, createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY, HEADER_ONLY_CSP } from '../../../src-shared/csp';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export function rendererBuilt(root: string): boolean {
  return existsSync(join(root, 'index.html'));
}

export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (!rendererBuilt(root)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      `The Orchestration Studio renderer is not built (no ${join(root, 'index.html')}).\n` +
        'Run `npm run build` (or `npx electron-vite build`), then reload this page.\n',
    );
    return;
  }
  const pathname = decodeURIComponentSafe(new URL(req.url ?? '/', 'http://x').pathname);
  const base = resolve(root);
  let file = pathname === undefined ? undefined : resolve(join(base, normalize(pathname)));
  if (file !== undefined && file !== base && !file.startsWith(base + sep)) file = undefined;
  if (file === undefined) {
    res.writeHead(400).end();
    return;
  }
  if (!isFile(file)) {
    if (pathname === '/favicon.ico') return void res.writeHead(204).end(); // no console noise
    if (extname(pathname!) !== '') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    file = join(base, 'index.html');
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer', // the page URL carries the token
    'cache-control': file.endsWith('.html') ? 'no-store' : 'public, max-age=3600',
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = `${CONTENT_SECURITY_POLICY}; ${HEADER_ONLY_CSP}`;
    headers['x-frame-options'] = 'DENY';
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function decodeURIComponentSafe(s: string): string | undefined {
  try {
    const decoded = decodeURIComponent(s);
    return decoded.includes('\0') ? undefined : decoded;
  } catch {
    return undefined;
  }
}
