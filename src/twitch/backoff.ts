/**
 * Reconnect delays: exponential, capped, with "equal jitter" (half fixed, half random) so a
 * fleet of clients dropped at once by Twitch maintenance does not come back in lockstep, while a
 * single client never retries instantly. `random` is injected so tests are deterministic.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const TWITCH_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000 };

/** Delay before retry number `attempt` (0 = first retry). Never above `maxMs`. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exp / 2 + (r * exp) / 2);
}
