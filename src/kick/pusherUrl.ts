/**
 * KICK_PUSHER_URL (`wss://ws-us2.pusher.com/app/<key>?protocol=7…`) as pusher-js options. What a
 * Pusher close code means is in the one table in src/errors.ts (`pusherVerdict`).
 */
import type { Options } from 'pusher-js';

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
