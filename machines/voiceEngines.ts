import { assertEvent, enqueueActions, setup } from 'xstate';
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

/** One sentence on its way to a voice: the engines left to try, and the one being asked. */
interface SentenceTry {
  engine: string;
  /** The engines after this one, in order. */
  rest: string[];
  /** Failed tries on `engine` so far. */
  failures: number;
  /** The pause before asking `engine` again (a retry is due). */
  pauseMs: number;
}

export interface VoiceEnginesInput {
  /** The engines that are ready, in fallback order. */
  order: string[];
  /** The first pause before asking an engine again (machines/ttsRetry.ts doubles it for a 429). */
  retryBaseMs: number;
}

interface VoiceEnginesContext extends VoiceEnginesInput {
  /** Engines turned off until Pickle restarts (a refused key, no credit). */
  off: string[];
  /** Sentences under way, by the adapter's key. */
  sentences: Record<string, SentenceTry>;
}

export type VoiceEnginesEvent =
  /** A sentence wants a voice; `preferred`: the engine the persona asks for. */
  | { type: 'sentence.requested'; key: string; preferred: string }
  | { type: 'engine.spoke'; key: string }
  /** `heard`: audio of the sentence was already played. */
  | { type: 'engine.failed'; key: string; failure: EngineFailure; heard: boolean }
  /** The reply was cut: nothing more for this sentence. */
  | { type: 'sentence.abandoned'; key: string }
  | { type: 'retry.due'; key: string };

export type VoiceEnginesEmitted =
  /** Ask this engine for the sentence (`attempt` 1 for the first try on it). */
  | { type: 'engine.speak'; key: string; engine: string; attempt: number }
  /** Nothing more for the sentence: `cut` (part was heard), `stopped` (the reply was cut), `unvoiced` (no engine left). */
  | { type: 'sentence.over'; key: string; how: 'cut' | 'stopped' | 'unvoiced' }
  | { type: 'engine.turnedOff'; engine: string };

const retryId = (key: string) => `retry:${key}`;

/**
 * The voice's engines as a machine (`voiceEngines`): for each sentence, which engine is asked,
 * when it is asked again (the pause is a delay on this machine's clock) and when the next one is;
 * and which engines are turned off for every later sentence. The adapter (src/tts/synthesize.ts)
 * calls the engine it is told to and reports how it went.
 */
export const voiceEnginesMachine = setup({
  types: {
    context: {} as VoiceEnginesContext,
    events: {} as VoiceEnginesEvent,
    input: {} as VoiceEnginesInput,
    emitted: {} as VoiceEnginesEmitted,
  },
  delays: {
    /** The pause chosen for the sentence that just failed. */
    retryPause: ({ context, event }) => ('key' in event ? (context.sentences[event.key]?.pauseMs ?? 0) : 0),
  },
  actions: {
    begin: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'sentence.requested');
      const [first, ...rest] = enginesToTry(context.order, event.preferred, new Set(context.off));
      if (first === undefined) return enqueue.emit({ type: 'sentence.over', key: event.key, how: 'unvoiced' });
      enqueue.assign({ sentences: { ...context.sentences, [event.key]: { engine: first, rest, failures: 0, pauseMs: 0 } } });
      enqueue.emit({ type: 'engine.speak', key: event.key, engine: first, attempt: 1 });
    }),
    afterFailure: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'engine.failed');
      const s = context.sentences[event.key];
      if (!s) return;
      const forget = () => {
        const { [event.key]: _done, ...others } = context.sentences;
        return others;
      };
      const step = afterFailure(event.failure, s.failures + 1, event.heard, context.retryBaseMs);
      if (step.step === 'stop' || step.step === 'cut') {
        enqueue.assign({ sentences: forget() });
        return enqueue.emit({ type: 'sentence.over', key: event.key, how: step.step === 'cut' ? 'cut' : 'stopped' });
      }
      if (step.step === 'retry') {
        enqueue.assign({ sentences: { ...context.sentences, [event.key]: { ...s, failures: s.failures + 1, pauseMs: step.pauseMs } } });
        return enqueue.raise({ type: 'retry.due', key: event.key }, { id: retryId(event.key), delay: 'retryPause' });
      }
      const off = step.turnOff && !context.off.includes(s.engine) ? [...context.off, s.engine] : context.off;
      if (off !== context.off) enqueue.emit({ type: 'engine.turnedOff', engine: s.engine });
      // Another sentence may have turned an engine off meanwhile: skip it too.
      const [next, ...rest] = s.rest.filter((name) => !off.includes(name));
      if (next === undefined) {
        enqueue.assign({ off, sentences: forget() });
        return enqueue.emit({ type: 'sentence.over', key: event.key, how: 'unvoiced' });
      }
      enqueue.assign({ off, sentences: { ...context.sentences, [event.key]: { engine: next, rest, failures: 0, pauseMs: 0 } } });
      enqueue.emit({ type: 'engine.speak', key: event.key, engine: next, attempt: 1 });
    }),
    askAgain: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'retry.due');
      const s = context.sentences[event.key];
      if (s) enqueue.emit({ type: 'engine.speak', key: event.key, engine: s.engine, attempt: s.failures + 1 });
    }),
    forget: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['engine.spoke', 'sentence.abandoned']);
      if (event.type === 'sentence.abandoned') enqueue.cancel(retryId(event.key));
      const { [event.key]: _done, ...others } = context.sentences;
      enqueue.assign({ sentences: others });
    }),
  },
}).createMachine({
  id: 'voiceEngines',
  context: ({ input }) => ({ ...input, off: [], sentences: {} }),
  on: {
    'sentence.requested': { actions: 'begin' },
    'engine.failed': { actions: 'afterFailure' },
    'retry.due': { actions: 'askAgain' },
    'engine.spoke': { actions: 'forget' },
    'sentence.abandoned': { actions: 'forget' },
  },
});
