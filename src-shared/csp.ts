/**
 * The renderer's Content Security Policy, one definition for both shells: the browser-mode
 * server sends it as a header, and the build writes it into index.html as a meta tag for
 * Electron (file:// pages get no headers). The page may only load its own code and talk to its
 * own server; no inline scripts, no eval, no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // React Flow positions nodes and edges with inline styles
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Header-only directives (ignored in a meta tag). */
export const HEADER_ONLY_CSP = "frame-ancestors 'none'";
