import { ttsRetryDelayMs, type TtsRetryKind } from './ttsRetry.ts';

/**
 * The voice's engines as one ordered fallback list, pure (as livekit agents' FallbackAdapter):
 * which engines a sentence is tried on, and what a failure means for the sentence and for the
 * engine. The adapter (src/tts/synthesize.ts) only calls the engines and reports what happened.
 */

/** An engine's failure as the fallback sees it (src/tts maps provider errors to this). */
export interface EngineFailure {
  kind: TtsRetryKind | 'auth' | 'payment' | 'aborted';
  retryable: boolean;
}

/**
 * The engines to try for a sentence: the preferred one and those after it in the configured
 * order, minus those turned off. A persona asking for the local voice never wakes a cloud voice.
 */
export function enginesToTry(order: readonly string[], preferred: string, off: ReadonlySet<string>): string[] {
  const from = order.indexOf(preferred);
  return (from < 0 ? order : order.slice(from)).filter((name) => !off.has(name));
}

export type FailureStep =
  /** Ask the same engine again after `pauseMs`. */
  | { step: 'retry'; pauseMs: number }
  /** Move on to the next engine; `turnOff`: this one is not asked again until restart. */
  | { step: 'next'; turnOff: boolean }
  /** Part of the sentence was already heard: repeating it would be worse than cutting it. */
  | { step: 'cut' }
  /** The reply was cut: nothing more for this sentence. */
  | { step: 'stop' };

/**
 * After an engine failed on a sentence (`failures`: tries that failed so far, 1 after the first;
 * `heard`: audio of it was already played). A refused key or no credit turns the engine off: it
 * comes from the environment, so asking again with the same key cannot help.
 */
export function afterFailure(failure: EngineFailure, failures: number, heard: boolean, retryBaseMs: number): FailureStep {
  if (failure.kind === 'aborted') return { step: 'stop' };
  if (heard) return { step: 'cut' };
  if (failure.kind === 'auth' || failure.kind === 'payment') return { step: 'next', turnOff: true };
  const pause = ttsRetryDelayMs(failure.kind, failure.retryable, failures, retryBaseMs);
  return pause === null ? { step: 'next', turnOff: false } : { step: 'retry', pauseMs: pause };
}
