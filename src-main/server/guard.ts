// Who may talk to the server. The token keeps out other local users; the Host check keeps
// out DNS rebinding (a page on evil.example whose name now points at 127.0.0.1 sends
// "Host: evil.example"); the Origin check keeps out pages on other sites that learn the port.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

export interface HostRule {
  port: number;
  /** Other names the browser may use: "name" (at the server's port) or "name:port" (a forwarded port). */
  allowedHosts: readonly string[];
}

export function allowedHost(host: string | undefined, rule: HostRule): boolean {
  if (!host) return false;
  const wanted = host.toLowerCase();
  const names = [...LOOPBACK, ...rule.allowedHosts.map((h) => h.toLowerCase())];
  return names.some((name) => wanted === (hasPort(name) ? name : `${name}:${rule.port}`));
}

/** "name:port" or "[v6]:port", not a bare name or a bare "[v6]". */
function hasPort(name: string): boolean {
  return /:\d+$/.test(name) && !/^\[[^\]]*\]$/.test(name);
}

/** Browsers send Origin on WebSocket upgrades and cross-site requests: it must be this server. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // Not a browser: scripts and tests, which still need the token.
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && url.host === req.headers.host?.toLowerCase();
  } catch {
    return false; // "null" (a sandboxed frame, a file:// page) and anything unparsable.
  }
}

export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The request's path and query, or null when it is not a plain absolute path ("*", a full
 * URL, "%ZZ", a NUL): such a request is answered 400, never left to throw later.
 */
export function parseRequestUrl(raw: string | undefined): { url: URL; pathname: string } | null {
  if (!raw || !raw.startsWith('/')) return null;
  try {
    // Prefixing keeps "//host/x" a path rather than a host, as it is on the wire.
    const url = new URL(`http://127.0.0.1${raw}`);
    const pathname = decodeURIComponent(url.pathname);
    if (pathname.includes('\0')) return null;
    return { url, pathname };
  } catch {
    return null;
  }
}
