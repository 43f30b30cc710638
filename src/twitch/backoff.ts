/**
 * Twitch's reconnect figures. The delay itself is the reconnect machine's (exponential, capped,
 * "equal jitter"); `backoffDelay` draws the jitter from `random` for callers outside a machine.
 */
import { reconnectDelayMs, type Backoff } from '../../machines/reconnect.ts';

export type BackoffOptions = Backoff;

export const TWITCH_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000 };

/** Delay before retry number `attempt` (0 = first retry). Never above `maxMs`. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  return reconnectDelayMs(attempt, opts, random());
}
