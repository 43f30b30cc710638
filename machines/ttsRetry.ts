/**
 * How long to wait before asking the TTS service again, pure. A 429 means "too many at once":
 * it passes as soon as other requests finish, so it is worth a few tries with growing pauses
 * before a sentence falls back to the local voice (Deepgram's SDK hides `Retry-After`, so the
 * pauses are ours). Any other retryable failure (5xx, timeout, network) gets one more try.
 */

export type TtsRetryKind = 'rate-limit' | 'server' | 'timeout' | 'network' | 'other';

/** Tries after a 429 before giving up on Deepgram for this sentence. */
export const RATE_LIMIT_RETRIES = 4;
/** The longest pause between two tries. */
export const MAX_RETRY_PAUSE_MS = 2_000;

/** `failures`: failed tries so far (1 after the first). `baseMs`: the first pause. null: give up. */
export function ttsRetryDelayMs(kind: TtsRetryKind, retryable: boolean, failures: number, baseMs: number): number | null {
  if (!retryable) return null;
  if (kind === 'rate-limit') {
    if (failures > RATE_LIMIT_RETRIES) return null;
    return Math.min(MAX_RETRY_PAUSE_MS, baseMs * 2 ** (failures - 1));
  }
  return failures === 1 ? baseMs : null;
}
