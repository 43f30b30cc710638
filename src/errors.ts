/**
 * One classification of every service failure (the LLM, the voice, hearing), whatever the
 * provider: what trying again can do.
 * - `auth`: a refused key or no credit; asking again with the same settings cannot help.
 * - `rate-limited`: the service asks to slow down; it passes by itself.
 * - `retryable`: may pass (network, a 5xx, a timeout).
 * - `fatal`: a wrong setting or request; only the streamer's fix helps.
 */
export type FailureClass = 'auth' | 'rate-limited' | 'retryable' | 'fatal';

export function classifyFailure(kind: string, retryable: boolean): FailureClass {
  if (kind === 'auth' || kind === 'payment') return 'auth';
  if (kind === 'rate-limit') return 'rate-limited';
  return retryable ? 'retryable' : 'fatal';
}

/** What every service's error carries: its own kind, whether to try again, and the fix for the streamer. */
export abstract class ServiceError extends Error {
  abstract readonly kind: string;
  abstract readonly retryable: boolean;
  abstract readonly fix?: string | undefined;

  get failureClass(): FailureClass {
    return classifyFailure(this.kind, this.retryable);
  }
}
