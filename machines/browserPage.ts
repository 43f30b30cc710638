import { reconnectDelayMs, type Backoff, type ReconnectInput } from './reconnect.ts';

/**
 * A page of Pickle's in its hidden browser (camera, microphone, local voice) is a connection like
 * any other: the reconnect machine (`reconnect.ts`) decides when to open it and when to try again,
 * with these settings. The adapter (src/browser/pageHost.ts) opens and closes the page and reports
 * what happened: opened, or failed (the browser did not start, the page did not load, the browser
 * or the page crashed), each failure `retryable`.
 */

/** A page (or the browser under it) that failed is opened again after 1 s, 2 s, 4 s… up to 30 s (README). */
export const PAGE_BACKOFF: Backoff = { baseMs: 1000, maxMs: 30_000 };

/** One page of one local browser: nothing to spread out, so the whole delay (no jitter). */
export const PAGE_JITTER = 1;

/** Up this long counts as healthy: the next failure waits the base delay again. */
export const PAGE_STABLE_MS = 60_000;

/** The pause before the next try after `failures` failures in a row (1, 2, 3…). */
export function reopenDelay(backoff: Backoff, failures: number): number {
  return reconnectDelayMs(failures - 1, backoff, PAGE_JITTER);
}

export interface BrowserPageSettings {
  baseMs?: number;
  maxMs?: number;
  stableMs?: number;
  /** Longer than the adapter's own launch and load timeouts: those report the failure first. */
  openTimeoutMs: number;
}

export function pageReconnectInput(s: BrowserPageSettings): ReconnectInput {
  return {
    baseMs: s.baseMs ?? PAGE_BACKOFF.baseMs,
    maxMs: s.maxMs ?? PAGE_BACKOFF.maxMs,
    stableMs: s.stableMs ?? PAGE_STABLE_MS,
    connectTimeoutMs: s.openTimeoutMs,
  };
}
