import { assign, enqueueActions, setup } from 'xstate';
import type { BrainOutEvent, VoiceOutEvent } from './events.ts';

/**
 * Voice: plays a reply's sentences strictly in order, one at a time, as they arrive from the
 * brain, and tells the brain when audio starts and when playback is over (with what was heard).
 *
 * This is the captions-only voice: a sentence "plays" for its reading time, so the brain's
 * speaking/cooldown timing and the overlay's captions behave as they will with real audio.
 */

export interface VoiceInput {
  /** Reading time per character (captions-only voice); ~15 characters per second. */
  msPerChar?: number;
  minSentenceMs?: number;
}

interface Sentence {
  index: number;
  text: string;
}

interface VoiceContext {
  msPerChar: number;
  minSentenceMs: number;
  replyId: string | undefined;
  queue: Sentence[];
  current: Sentence | undefined;
  spoken: string[];
  /** The brain sent reply.done: no more sentences will come. */
  textDone: boolean;
}

type VoiceEvent = Extract<BrainOutEvent, { type: 'reply.start' | 'reply.sentence' | 'reply.done' | 'reply.failed' | 'voice.skip' }>;

export const voiceMachine = setup({
  types: {
    context: {} as VoiceContext,
    events: {} as VoiceEvent,
    input: {} as VoiceInput,
  },
  delays: {
    sentenceDuration: ({ context }) =>
      Math.max(context.minSentenceMs, Math.round((context.current?.text.length ?? 0) * context.msPerChar)),
  },
  guards: {
    isMine: ({ context, event }) => 'replyId' in event && event.replyId === context.replyId,
    hasQueued: ({ context }) => context.queue.length > 0,
    textDone: ({ context }) => context.textDone,
  },
  actions: {
    begin: assign(({ event }) =>
      event.type === 'reply.start'
        ? { replyId: event.replyId, queue: [], current: undefined, spoken: [], textDone: false }
        : {},
    ),
    enqueue: assign({
      queue: ({ context, event }) => (event.type === 'reply.sentence' ? [...context.queue, { index: event.index, text: event.text }] : context.queue),
    }),
    markTextDone: assign({ textDone: true }),
    playNext: enqueueActions(({ context, enqueue }) => {
      const [next, ...rest] = context.queue;
      if (!next || !context.replyId) return;
      if (context.spoken.length === 0) enqueue.sendParent({ type: 'voice.started', replyId: context.replyId } satisfies VoiceOutEvent);
      enqueue.assign({ current: next, queue: rest });
      enqueue.sendParent({ type: 'voice.playing', replyId: context.replyId, index: next.index, text: next.text } satisfies VoiceOutEvent);
    }),
    finishSentence: assign(({ context }) => ({
      spoken: context.current ? [...context.spoken, context.current.text] : context.spoken,
      current: undefined,
    })),
    /** A sentence that started playing counts as heard, even when cut. */
    reportDone: enqueueActions(({ context, enqueue }, params: { interrupted: boolean }) => {
      if (!context.replyId) return;
      const heard = context.current ? [...context.spoken, context.current.text] : context.spoken;
      enqueue.sendParent({
        type: 'voice.done',
        replyId: context.replyId,
        spokenText: heard.join(' '),
        interrupted: params.interrupted,
      } satisfies VoiceOutEvent);
      enqueue.assign({ replyId: undefined, queue: [], current: undefined, spoken: [], textDone: false });
    }),
    reset: assign({ replyId: undefined, queue: [], current: undefined, spoken: [], textDone: false }),
  },
}).createMachine({
  id: 'voice',
  context: ({ input }) => ({
    msPerChar: input.msPerChar ?? 65,
    minSentenceMs: input.minSentenceMs ?? 1200,
    replyId: undefined,
    queue: [],
    current: undefined,
    spoken: [],
    textDone: false,
  }),
  initial: 'idle',
  on: {
    'reply.start': { actions: 'begin', target: '.idle' },
  },
  states: {
    idle: {
      on: {
        'reply.sentence': { guard: 'isMine', actions: 'enqueue', target: 'playing' },
        'reply.done': { guard: 'isMine', actions: 'markTextDone' },
        'reply.failed': { guard: 'isMine', actions: 'reset' },
      },
    },
    playing: {
      entry: 'playNext',
      after: {
        sentenceDuration: [
          { guard: 'hasQueued', actions: 'finishSentence', target: 'playing', reenter: true },
          { guard: 'textDone', actions: ['finishSentence', { type: 'reportDone', params: { interrupted: false } }], target: 'idle' },
          { actions: 'finishSentence', target: 'waiting' },
        ],
      },
      on: {
        'reply.sentence': { guard: 'isMine', actions: 'enqueue' },
        'reply.done': { guard: 'isMine', actions: 'markTextDone' },
        'reply.failed': { guard: 'isMine', actions: 'markTextDone' },
        'voice.skip': { actions: { type: 'reportDone', params: { interrupted: true } }, target: 'idle' },
      },
    },
    // Played everything so far; the LLM is still writing.
    waiting: {
      always: { guard: 'textDone', actions: { type: 'reportDone', params: { interrupted: false } }, target: 'idle' },
      on: {
        'reply.sentence': { guard: 'isMine', actions: 'enqueue', target: 'playing' },
        'reply.done': { guard: 'isMine', actions: 'markTextDone' },
        'reply.failed': { guard: 'isMine', actions: 'markTextDone' },
        'voice.skip': { actions: { type: 'reportDone', params: { interrupted: true } }, target: 'idle' },
      },
    },
  },
});
