/**
 * KICK_PUSHER_URL (`wss://ws-us2.pusher.com/app/<key>?protocol=7…`) as pusher-js options, and what a
 * Pusher error code means (pusher.com/docs/channels/library_auth_reference/pusher-websockets-protocol):
 * 4000–4099 the connection must not be retried unchanged (wrong app key, app disabled), 4100–4199
 * retry after a pause (over capacity), 4200–4299 reconnect at once (the server is going away).
 */
import type { Options } from 'pusher-js';
import type { FailureClass } from '../errors.ts';

export function pusherOptionsOf(url: string): { key: string; options: Options } {
  const u = new URL(url);
  const key = /\/app\/([^/?]+)/.exec(u.pathname)?.[1];
  if (!key) throw new Error(`KICK_PUSHER_URL: expected …/app/<key> (got "${url}")`);
  const tls = u.protocol === 'wss:' || u.protocol === 'https:';
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const cluster = /^ws-([a-z0-9]+)\.pusher\.com$/.exec(u.hostname)?.[1] ?? 'us2';
  return {
    key,
    options: {
      cluster,
      wsHost: u.hostname,
      wsPort: port,
      wssPort: port,
      forceTLS: tls,
      enabledTransports: tls ? ['wss'] : ['ws'],
      disableStats: true,
    },
  };
}

export type PusherVerdict = { failure: FailureClass } | { restart: true };

export function pusherVerdict(code: number | undefined): PusherVerdict {
  if (code === undefined || code < 4000) return { failure: 'retryable' };
  if (code < 4100) return { failure: 'fatal' };
  if (code < 4200) return { failure: 'rate-limited' };
  if (code < 4300) return { restart: true };
  return { failure: 'fatal' };
}
