/**
 * DNS-rebinding and cross-site protection for the local server. A page on another site can
 * make a browser talk to 127.0.0.1, either directly (its Origin gives it away) or through a DNS
 * name it re-points at 127.0.0.1 (its Host header gives it away). So: the Host must be a name
 * this server answers to, and an Origin, when present, must be this server's own.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

export interface HostPolicy {
  /** The port the server listens on; Host and Origin must carry it. */
  port: number;
  /** The address the server is bound to. */
  bindHost: string;
  /** More host names to accept (e.g. a reverse proxy's). */
  extraHosts?: readonly string[];
}

function splitHost(value: string): { name: string; port: string } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), port: m[2] ?? '80' };
}

function nameAllowed(name: string, policy: HostPolicy): boolean {
  if (LOOPBACK_NAMES.has(name)) return true;
  if (policy.extraHosts?.map((h) => h.toLowerCase()).includes(name)) return true;
  const bind = policy.bindHost.toLowerCase();
  const bindName = bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
  if (name === bindName) return true;
  // Bound to every interface (an explicit opt-in): accept IP literals, which DNS cannot rebind.
  if (WILDCARDS.has(bind)) return isIP(name.replace(/^\[|\]$/g, '')) !== 0;
  return false;
}

export function hostAllowed(hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (!hostHeader) return false;
  const host = splitHost(hostHeader);
  return !!host && host.port === String(policy.port) && nameAllowed(host.name, policy);
}

/** No Origin (a non-browser client such as the SDK or curl) is fine; a foreign one is not. */
export function originAllowed(origin: string | undefined, policy: HostPolicy): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return port === String(policy.port) && nameAllowed(url.hostname.toLowerCase(), policy);
}

export type GuardResult = { ok: true } | { ok: false; status: number; reason: string };

export function checkRequest(req: IncomingMessage, policy: HostPolicy): GuardResult {
  if (!hostAllowed(req.headers.host, policy)) {
    return { ok: false, status: 403, reason: 'Host header not allowed' };
  }
  if (!originAllowed(req.headers.origin, policy)) {
    return { ok: false, status: 403, reason: 'Origin not allowed' };
  }
  return { ok: true };
}

/** The token from `?token=` or `Authorization: Bearer …`. */
export function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.searchParams.get('token') ?? undefined;
}
