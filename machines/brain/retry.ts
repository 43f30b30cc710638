/**
 * Whether a reply the LLM failed before a word was said is tried again, pure. Someone who named
 * Pickle (or the streamer talking to it) should not go unanswered because Ollama was restarting
 * for a few seconds: the trigger is kept and tried again after a short pause, at most twice. A
 * spontaneous remark, or a failure that waiting cannot fix (a missing model, a refused key), is
 * dropped.
 */
import type { LlmFailure } from '../events.ts';

/** Tries after the first failure. */
export const LLM_RETRIES = 2;
/** The pause before each try: long enough for a restarting server, short enough that the viewer still waits. */
export const LLM_RETRY_WAIT_MS = 2_000;

export interface Retryable {
  reason: string;
  rank: number;
  retries?: number;
}

export function retryAfterLlmError<T extends Retryable>(trigger: T, error: LlmFailure): T | undefined {
  if (!error.retryable) return undefined;
  if (trigger.rank < 2 || trigger.reason === 'spontaneous') return undefined;
  const retries = trigger.retries ?? 0;
  if (retries >= LLM_RETRIES) return undefined;
  return { ...trigger, retries: retries + 1 };
}
