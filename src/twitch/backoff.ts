/** Twitch's reconnect figures; the delay itself is the reconnect machine's (exponential, capped, "equal jitter"). */
import type { Backoff } from '../../machines/reconnect.ts';

export const TWITCH_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 30_000 };
