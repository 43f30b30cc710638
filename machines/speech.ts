import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import type { BrainOutEvent, InputEvent, PickleEvent, SpeechOutEvent, VoiceOutEvent } from './events.ts';
import { ECHO_THRESHOLD, isEcho } from './speech/echo.ts';

/**
 * Speech: the streamer's voice, from Deepgram live results to what the brain hears.
 *
 * - An utterance is the final pieces Deepgram sends (`is_final`) until `speech_final` or
 *   `UtteranceEnd`; it becomes one `speech.final` (speaker: the streamer) when it has at least
 *   5 characters (the seed's minimum), else `speech.ignored` (short).
 * - Echo guard: while Pickle speaks (from the first sentence played to `echoTailMs` after the
 *   voice is done, since recognition lags the audio), a transcript made mostly of the words of
 *   the current reply is Pickle's own voice from the streamer's speakers: it is dropped
 *   (`speech.ignored`, echo) and cannot interrupt Pickle.
 * - Barge-in: voice activity alone does not cut Pickle (its own voice is voice activity too).
 *   While Pickle speaks, `speech.started` goes to the brain only once a transcript (interim or
 *   final) shows speech that is not Pickle's. When Pickle is quiet, voice activity is passed on
 *   at once.
 */

export interface SpeechInput {
  /** Shortest final transcript passed to the brain (characters, trimmed). Seed: 5. */
  minChars?: number;
  /** Share of a transcript's words that must be Pickle's for it to count as echo. */
  echoThreshold?: number;
  /** How long after Pickle stops speaking its words still count as echo. */
  echoTailMs?: number;
  /** Shortest transcript that confirms a barge-in while Pickle speaks (characters). */
  minBargeInChars?: number;
}

export type SpeechEvent =
  | Extract<InputEvent, { type: 'stt.words' | 'stt.voiceActivity' | 'stt.utteranceEnd' }>
  | Extract<BrainOutEvent, { type: 'reply.sentence' }>
  | Extract<VoiceOutEvent, { type: 'voice.sentenceStarted' | 'voice.done' }>;

interface SpeechContext {
  minChars: number;
  echoThreshold: number;
  echoTailMs: number;
  minBargeInChars: number;
  /** Final pieces of the utterance in progress. */
  pieces: string[];
  /** The reply being spoken: what an echo would say. */
  replyId: string | undefined;
  reference: string[];
  /** speech.started already sent for this stretch of Pickle speaking. */
  bargedIn: boolean;
  /** Voice activity seen while Pickle speaks, waiting for a transcript to tell whose voice it is. */
  heldSince: number | undefined;
}

const out = (e: SpeechOutEvent | Extract<PickleEvent, { type: 'speech.final' | 'speech.started' }>) => e;

export const speechMachine = setup({
  types: {
    context: {} as SpeechContext,
    events: {} as SpeechEvent,
    input: {} as SpeechInput,
  },
  delays: {
    echoTail: ({ context }) => context.echoTailMs,
  },
  actions: {
    /** Pickle's sentences, as the brain sends them to the voice and as the voice plays them.
     *  A new reply replaces the old text when Pickle is quiet, and adds to it while the old one may still echo. */
    addReference: assign(({ context, event }, params: { keepOld: boolean }) => {
      assertEvent(event, ['reply.sentence', 'voice.sentenceStarted']);
      const fresh = event.replyId !== context.replyId;
      const base = fresh && !params.keepOld ? [] : context.reference;
      return {
        replyId: event.replyId,
        reference: !fresh && base.includes(event.text) ? base : [...base, event.text],
      };
    }),
    clearReference: assign({ reference: [], replyId: undefined }),
    startSpeaking: assign({ bargedIn: false, heldSince: undefined }),
    passVoiceActivity: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'stt.voiceActivity') enqueue.sendParent(out({ type: 'speech.started', ts: event.ts }));
    }),
    holdVoiceActivity: assign({
      heldSince: ({ context, event }) => (event.type === 'stt.voiceActivity' ? (context.heldSince ?? event.ts) : context.heldSince),
    }),
    /** Quiet: final pieces join the utterance; no echo possible. */
    collect: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'stt.words');
      if (!event.final) return;
      const text = event.text.trim();
      const pieces = text ? [...context.pieces, text] : context.pieces;
      if (text) enqueue.assign({ pieces });
      if (event.endOfUtterance) enqueue.raise({ type: 'stt.utteranceEnd', ts: event.ts });
    }),
    /** Pickle speaking (or just stopped): drop its own words, let the streamer's through and barge in. */
    collectGuarded: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'stt.words');
      const text = event.text.trim();
      if (text && isEcho(text, context.reference, context.echoThreshold)) {
        enqueue.assign({ heldSince: undefined });
        if (event.final) enqueue.sendParent(out({ type: 'speech.ignored', reason: 'echo', text, ts: event.ts }));
      } else if (text) {
        if (!context.bargedIn && text.length >= context.minBargeInChars) {
          enqueue.sendParent(out({ type: 'speech.started', ts: context.heldSince ?? event.ts }));
          enqueue.assign({ bargedIn: true, heldSince: undefined });
        }
        if (event.final) enqueue.assign({ pieces: [...context.pieces, text] });
      }
      if (event.final && event.endOfUtterance) enqueue.raise({ type: 'stt.utteranceEnd', ts: event.ts });
    }),
    /** End of an utterance: one speech.final for the brain, or why not. */
    flush: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'stt.utteranceEnd');
      if (context.pieces.length === 0) return;
      const text = context.pieces.join(' ').replace(/\s+/g, ' ').trim();
      enqueue.assign({ pieces: [] });
      if (text.length < context.minChars) enqueue.sendParent(out({ type: 'speech.ignored', reason: 'short', text, ts: event.ts }));
      else enqueue.sendParent(out({ type: 'speech.final', text, ts: event.ts, speaker: 'streamer' }));
    }),
  },
}).createMachine({
  id: 'speech',
  context: ({ input }) => ({
    minChars: input.minChars ?? 5,
    echoThreshold: input.echoThreshold ?? ECHO_THRESHOLD,
    echoTailMs: input.echoTailMs ?? 2000,
    minBargeInChars: input.minBargeInChars ?? 3,
    pieces: [],
    replyId: undefined,
    reference: [],
    bargedIn: false,
    heldSince: undefined,
  }),
  initial: 'quiet',
  on: {
    'stt.utteranceEnd': { actions: 'flush' },
    'reply.sentence': { actions: { type: 'addReference', params: { keepOld: true } } },
  },
  states: {
    quiet: {
      entry: 'clearReference',
      on: {
        'stt.voiceActivity': { actions: 'passVoiceActivity' },
        'stt.words': { actions: 'collect' },
        'reply.sentence': { actions: { type: 'addReference', params: { keepOld: false } } },
        'voice.sentenceStarted': { actions: { type: 'addReference', params: { keepOld: true } }, target: 'speaking' },
      },
    },
    speaking: {
      entry: 'startSpeaking',
      on: {
        'stt.voiceActivity': { actions: 'holdVoiceActivity' },
        'stt.words': { actions: 'collectGuarded' },
        'voice.sentenceStarted': { actions: { type: 'addReference', params: { keepOld: true } } },
        'voice.done': { target: 'tail' },
      },
    },
    // Pickle stopped; recognition of its last words may still be on the way.
    tail: {
      after: { echoTail: { target: 'quiet' } },
      on: {
        'stt.voiceActivity': { actions: 'passVoiceActivity' },
        'stt.words': { actions: 'collectGuarded' },
        'voice.sentenceStarted': { actions: { type: 'addReference', params: { keepOld: true } }, target: 'speaking' },
      },
    },
  },
});
