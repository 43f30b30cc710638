/**
 * Who may talk to the server. Shared by the express middleware and socket.io's
 * `allowRequest` so HTTP and sockets refuse the same things:
 * - a Host header that is not one of ours (DNS rebinding: evil.example resolving to 127.0.0.1),
 * - a browser Origin that is not one of ours, or Sec-Fetch-Site: cross-site (CSRF from any web page),
 * - in token mode (non-loopback bind), writes without the access token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as os from 'node:os';

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

export function isWildcardHost(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

/** `::1` → `[::1]` for use in a URL or Host header. */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Every `host:port` a legitimate client may put in the Host header. */
export function allowedHostHeaders(bindHost: string, port: number, extraNames: readonly string[] = []): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '[::1]', ...extraNames]);
  if (!isWildcardHost(bindHost)) names.add(hostForUrl(bindHost));
  else {
    // Bound to every interface: the LAN addresses and this machine's name are ours too.
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address.split('%')[0]}]` : a.address);
    }
    const hn = os.hostname();
    if (hn) names.add(hn).add(`${hn}.local`);
  }
  const out = new Set<string>();
  for (const n of names) {
    const name = n.toLowerCase();
    out.add(`${name}:${port}`);
    if (port === 80) out.add(name);
  }
  return out;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface Guard {
  readonly tokenMode: boolean;
  /** null when the Host header is ours; else the reason to refuse. */
  checkHost(headers: IncomingHttpHeaders): string | null;
  /** null when the request does not come from a foreign web page; else the reason to refuse. */
  checkOrigin(headers: IncomingHttpHeaders): string | null;
  /** True when not in token mode, or the token matches. */
  tokenOk(given: string | undefined): boolean;
}

export interface GuardOptions {
  allowedHosts: Set<string>;
  tokenMode: boolean;
  accessToken?: string;
}

export function createGuard(opts: GuardOptions): Guard {
  const allowedOrigins = new Set([...opts.allowedHosts].map((h) => `http://${h}`));
  // Compare digests so the comparison takes the same time whatever the length of the guess.
  const expected = opts.accessToken ? createHash('sha256').update(opts.accessToken).digest() : undefined;
  return {
    tokenMode: opts.tokenMode,
    checkHost(headers) {
      const host = header(headers, 'host')?.toLowerCase();
      if (!host) return 'missing Host header';
      return opts.allowedHosts.has(host) ? null : 'Host header is not this server';
    },
    checkOrigin(headers) {
      if (header(headers, 'sec-fetch-site')?.toLowerCase() === 'cross-site') return 'cross-site request';
      const origin = header(headers, 'origin');
      if (origin === undefined) return null;
      return allowedOrigins.has(origin.toLowerCase()) ? null : 'cross-origin request';
    },
    tokenOk(given) {
      if (!opts.tokenMode) return true;
      if (!expected || !given) return false;
      return timingSafeEqual(createHash('sha256').update(given).digest(), expected);
    },
  };
}

/** `Authorization: Bearer <t>` first, then `?token=` (for pages opened from a link). */
export function tokenFromRequest(headers: IncomingHttpHeaders, query: unknown): string | undefined {
  const auth = header(headers, 'authorization');
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (m?.[1]) return m[1];
  const q = (query as Record<string, unknown> | undefined)?.['token'];
  return typeof q === 'string' && q ? q : undefined;
}
