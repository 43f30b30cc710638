/** The camera page's Content-Security-Policy when the cloud model (Overshoot) runs in it. */
import type { Env } from '../config/env.ts';

/** A URL's origin, or undefined when it is not a URL. */
export function urlOrigin(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** The script itself, as a CSP source: origin and path (a path without a trailing / matches that one file). */
function exactScript(url: string | undefined): string | undefined {
  try {
    if (!url) return undefined;
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.replace(/[;,\s]/g, encodeURIComponent);
  } catch {
    return undefined;
  }
}

/**
 * The camera page's policy when it runs the cloud model: the one SDK file as script (never the
 * whole CDN), the model's API to talk to, and never inside another site's frame.
 */
export function overshootCsp(env: Env, host: string): string {
  const sdk = urlOrigin(env.OVERSHOOT_SDK_URL);
  const api = urlOrigin(env.OVERSHOOT_API_URL);
  const apis = api ? [api, api.replace(/^http/, 'ws')] : ['https://*.overshoot.ai', 'wss://*.overshoot.ai', 'https://overshoot.ai', 'wss://overshoot.ai'];
  return [
    "default-src 'self'",
    `script-src 'self' ${exactScript(env.OVERSHOOT_SDK_URL) ?? ''}`.trim(),
    `connect-src 'self' ws://${host} ${sdk ?? ''} ${apis.join(' ')}`.replace(/\s+/g, ' ').trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
