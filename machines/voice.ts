import { and, assertEvent, assign, enqueueActions, setup } from 'xstate';
import {
  VOICE_SAMPLE_RATE,
  type BrainOutEvent,
  type PlayCommand,
  type PlaybackEvent,
  type TtsEvent,
  type TtsFailure,
  type VoiceOutEvent,
} from './events.ts';
import { service, type PlaybackInput, type PlaybackService, type SynthesizeInput, type SynthesizeService } from './services.ts';
import { errorText } from './text.ts';

export type { PlaybackInput, SynthesizeInput } from './services.ts';

/**
 * Voice: turns a reply's sentences into speech while the LLM is still writing.
 *
 * Each `reply.sentence` gets its own `synthesize` actor (src/tts: Deepgram, espeak-ng, or
 * captions only), at most `maxParallel` at a time, in sentence order. Audio comes back as
 * `tts.audio` chunks, possibly for a later sentence before an earlier one is complete; the
 * voice hands it to the `playback` actor (src/audio: overlay + local device, with a clock)
 * strictly in sentence order, buffering what is early. A sentence without audio (captions
 * only, or its TTS failed) is played as silence for its reading time, so captions still show.
 *
 * What the brain and avatar get: `voice.sentenceStarted` as each sentence starts being heard
 * (caption sync; `first` on the reply's first one), and `voice.done` when the reply has
 * been played or was cut (`voice.skip`). `spokenText` is only what was heard: the sentences
 * that started playing, joined, with no markers; a reply cut before any audio gives ''.
 *
 * A `pending` sentence (the ML classifier is still judging it) is synthesised at once but not
 * handed to the player until `reply.judged`: ok plays it in its turn; not ok drops it unheard,
 * its synthesis stopped and its audio thrown away. So the classifier's time overlaps synthesis.
 *
 * Without provided actors (machine tests, the orchestrator alone) the voice is captions only:
 * a sentence "plays" for its reading time, timed by the default `playback` machine below, which
 * runs as the voice's child (on the actor system's clock, shown in the inspector).
 */

export interface VoiceInput {
  /** Reading time per character for a sentence without audio (~15 characters per second). */
  msPerChar?: number;
  minSentenceMs?: number;
  /** TTS requests in flight at once (sentence order). Default 2. */
  maxParallel?: number;
}

type SlotState = 'waiting' | 'synthesizing' | 'done' | 'failed' | 'dropped';

interface Slot {
  index: number;
  text: string;
  state: SlotState;
  /** Audio that arrived before its turn to play. */
  buffered: Uint8Array[];
  /** Some of its audio went to the player. */
  fed: boolean;
  /** Waiting for the classifier's verdict: nothing of it reaches the player yet. */
  held: boolean;
}

interface VoiceContext {
  msPerChar: number;
  minSentenceMs: number;
  maxParallel: number;
  replyId: string | undefined;
  slots: Slot[];
  /** Index of the next sentence to hand to the player (everything before it is handed over). */
  feed: number;
  /** Texts of the sentences that started playing, in order. */
  heard: string[];
  /** Some audio of this reply came from TTS (`voice.firstByte` was sent). */
  gotAudio: boolean;
  /** reply.done came: no more sentences. */
  textDone: boolean;
  /** play.finish was sent. */
  finished: boolean;
}

type ChildError = { type: `xstate.error.actor.${string}`; error: unknown };

type VoiceEvent =
  | Extract<BrainOutEvent, { type: 'reply.start' | 'reply.sentence' | 'reply.judged' | 'reply.done' | 'reply.failed' | 'voice.skip' }>
  | TtsEvent
  | PlaybackEvent
  | ChildError;

export const synthId = (replyId: string, index: number) => `synth-${replyId}-${index}`;
export const playerId = (replyId: string) => `player-${replyId}`;

export function readingMs(text: string, msPerChar: number, minMs: number): number {
  return Math.max(minMs, Math.round(text.length * msPerChar));
}

/** Duration of PCM16 mono audio at the voice's sample rate. */
export function pcmMs(bytes: number): number {
  return (bytes / 2 / VOICE_SAMPLE_RATE) * 1000;
}

/**
 * One scheduling step, pure: hand the player everything that is next in order, start
 * synthesis for waiting sentences up to the bound, and finish when all is handed over.
 */
export function pump(ctx: VoiceContext): { slots: Slot[]; feed: number; finished: boolean; spawn: Slot[]; play: PlayCommand[] } {
  const slots = ctx.slots.map((s) => ({ ...s }));
  const play: PlayCommand[] = [];
  let feed = ctx.feed;
  while (feed < slots.length) {
    const s = slots[feed]!;
    if (s.state === 'dropped') {
      feed += 1;
      continue;
    }
    if (s.held) break;
    if (s.buffered.length > 0) {
      for (const pcm of s.buffered) play.push({ type: 'play.audio', index: s.index, pcm });
      s.buffered = [];
      s.fed = true;
    }
    if (s.state !== 'done' && s.state !== 'failed') break;
    if (!s.fed) play.push({ type: 'play.silence', index: s.index, ms: readingMs(s.text, ctx.msPerChar, ctx.minSentenceMs) });
    feed += 1;
  }
  let inFlight = slots.filter((s) => s.state === 'synthesizing').length;
  const spawn: Slot[] = [];
  for (const s of slots) {
    if (inFlight >= ctx.maxParallel) break;
    if (s.state !== 'waiting') continue;
    s.state = 'synthesizing';
    spawn.push(s);
    inFlight += 1;
  }
  let finished = ctx.finished;
  if (!finished && ctx.textDone && feed === slots.length) {
    play.push({ type: 'play.finish' });
    finished = true;
  }
  return { slots, feed, finished, spawn, play };
}

const fresh = { replyId: undefined, slots: [], feed: 0, heard: [], gotAudio: false, textDone: false, finished: false } satisfies Partial<VoiceContext>;

/** Default synthesize actor: no voice, captions only. */
export const captionsOnlySynthesize: SynthesizeService = service<SynthesizeInput, TtsEvent>(({ input, sendBack }) => {
  sendBack({ type: 'tts.done', replyId: input.replyId, index: input.index, engine: 'none' });
});

interface Segment {
  index: number;
  ms: number;
}

/**
 * Default playback actor: plays nothing, but keeps time like a player would — audio for its
 * sample count, silence for its reading time — and reports sentence starts and the end to the
 * voice, its parent.
 */
export const timedPlayback = setup({
  types: {
    context: {} as { replyId: string; queue: Segment[]; current: Segment | undefined; lastIndex: number; finished: boolean },
    events: {} as PlayCommand,
    input: {} as PlaybackInput,
  },
  delays: {
    segment: ({ context }) => Math.round(context.current?.ms ?? 0),
  },
  guards: {
    hasQueued: ({ context }) => context.queue.length > 0,
    finished: ({ context }) => context.finished,
  },
  actions: {
    enqueue: assign({
      queue: ({ context, event }) => {
        if (event.type === 'play.audio') return [...context.queue, { index: event.index, ms: pcmMs(event.pcm.byteLength) }];
        if (event.type === 'play.silence') return [...context.queue, { index: event.index, ms: event.ms }];
        return context.queue;
      },
    }),
    next: enqueueActions(({ context, enqueue }) => {
      const [head, ...rest] = context.queue;
      if (!head) return;
      enqueue.assign({ current: head, queue: rest, lastIndex: head.index });
      if (head.index !== context.lastIndex)
        enqueue.sendParent({ type: 'playback.started', replyId: context.replyId, index: head.index } satisfies PlaybackEvent);
    }),
    drained: enqueueActions(({ context, enqueue }) => {
      enqueue.sendParent({ type: 'playback.drained', replyId: context.replyId } satisfies PlaybackEvent);
    }),
  },
}).createMachine({
  id: 'timedPlayback',
  context: ({ input }) => ({ replyId: input.replyId, queue: [], current: undefined, lastIndex: -1, finished: false }),
  initial: 'idle',
  on: {
    'play.audio': { actions: 'enqueue' },
    'play.silence': { actions: 'enqueue' },
    'play.finish': { actions: assign({ finished: true }) },
  },
  states: {
    idle: {
      always: [
        { guard: 'hasQueued', target: 'playing' },
        { guard: 'finished', target: 'drained' },
      ],
    },
    playing: {
      entry: 'next',
      after: {
        segment: [{ guard: 'hasQueued', target: 'playing', reenter: true }, { target: 'idle' }],
      },
    },
    drained: { entry: 'drained' },
  },
});

/** What plays a reply: a provided player service (src/audio), or by default the timed machine above. */
type PlaybackLogic = PlaybackService | typeof timedPlayback;
const defaultPlayback = (): PlaybackLogic => timedPlayback;

export const voiceMachine = setup({
  types: {
    context: {} as VoiceContext,
    events: {} as VoiceEvent,
    input: {} as VoiceInput,
  },
  delays: {
    /** Until a scheduled sentence starts being heard: its caption appears then. */
    untilHeard: ({ event }) => (event.type === 'playback.scheduled' ? event.inMs : 0),
  },
  actors: {
    synthesize: captionsOnlySynthesize,
    playback: defaultPlayback(),
  },
  guards: {
    isMine: ({ context, event }) => 'replyId' in event && event.replyId !== undefined && event.replyId === context.replyId,
    isMineSlot: ({ context, event }) =>
      'replyId' in event && event.replyId === context.replyId && 'index' in event && context.slots[event.index]?.state === 'synthesizing',
    active: ({ context }) => context.replyId !== undefined,
    heardNow: ({ event }) => event.type === 'playback.scheduled' && event.inMs <= 0,
  },
  actions: {
    /** Stops every actor of the current reply: TTS requests are aborted, the player flushes. */
    stopAll: enqueueActions(({ context, enqueue }) => {
      const replyId = context.replyId;
      if (!replyId) return;
      for (const s of context.slots) if (s.state === 'synthesizing') enqueue.stopChild(synthId(replyId, s.index));
      enqueue.stopChild(playerId(replyId));
    }),
    reset: assign(() => ({ ...fresh })),
    begin: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'reply.start');
      enqueue.assign({ ...fresh, replyId: event.replyId });
      enqueue.spawnChild('playback', { id: playerId(event.replyId), input: { replyId: event.replyId } satisfies PlaybackInput });
    }),
    addSentence: assign({
      slots: ({ context, event }) =>
        event.type === 'reply.sentence' && event.index === context.slots.length
          ? [...context.slots, { index: event.index, text: event.text, state: 'waiting' as const, buffered: [], fed: false, held: event.pending === true }]
          : context.slots,
    }),
    /** The classifier's verdict: release the sentence, or drop it (its synthesis stopped, its audio discarded). */
    judge: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.judged');
      const replyId = context.replyId;
      const slot = context.slots[event.index];
      if (!replyId || !slot?.held) return;
      if (!event.ok && slot.state === 'synthesizing') enqueue.stopChild(synthId(replyId, slot.index));
      const judged: Slot = event.ok ? { ...slot, held: false } : { ...slot, held: false, state: 'dropped', buffered: [] };
      enqueue.assign({ slots: context.slots.map((s) => (s.index === event.index ? judged : s)) });
    }),
    markTextDone: assign({ textDone: true }),
    buffer: assign({
      slots: ({ context, event }) => {
        assertEvent(event, 'tts.audio');
        if (event.pcm.byteLength === 0) return context.slots;
        return context.slots.map((s) => (s.index === event.index ? { ...s, buffered: [...s.buffered, event.pcm] } : s));
      },
    }),
    /** The reply's first audio bytes from TTS, for the latency record (what is heard comes later). */
    noteFirstByte: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'tts.audio');
      if (context.gotAudio || !context.replyId || event.pcm.byteLength === 0) return;
      enqueue.assign({ gotAudio: true });
      enqueue.sendParent({ type: 'voice.firstByte', replyId: context.replyId, ...(event.ts !== undefined ? { ts: event.ts } : {}) } satisfies VoiceOutEvent);
    }),
    settle: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['tts.done', 'tts.failed']);
      if (!context.replyId) return;
      const state: SlotState = event.type === 'tts.done' ? 'done' : 'failed';
      enqueue.assign({ slots: context.slots.map((s) => (s.index === event.index ? { ...s, state } : s)) });
      enqueue.stopChild(synthId(context.replyId, event.index));
    }),
    /** A child actor threw: a sentence without audio, or a player that cannot play any more. */
    childFailed: enqueueActions(({ context, event, enqueue }) => {
      const replyId = context.replyId;
      if (!replyId || !event.type.startsWith('xstate.error.actor.')) return;
      const id = event.type.slice('xstate.error.actor.'.length);
      const message = errorText((event as ChildError).error);
      const slot = context.slots.find((s) => synthId(replyId, s.index) === id && s.state === 'synthesizing');
      if (slot) {
        const error: TtsFailure = { kind: 'server', message, retryable: false };
        enqueue.raise({ type: 'tts.failed', replyId, index: slot.index, error });
      } else if (id === playerId(replyId)) {
        enqueue.raise({ type: 'playback.drained', replyId });
      }
    }),
    pump: enqueueActions(({ context, enqueue }) => {
      const replyId = context.replyId;
      if (!replyId) return;
      const step = pump(context);
      enqueue.assign({ slots: step.slots, feed: step.feed, finished: step.finished });
      for (const s of step.spawn)
        enqueue.spawnChild('synthesize', { id: synthId(replyId, s.index), input: { replyId, index: s.index, text: s.text } satisfies SynthesizeInput });
      for (const cmd of step.play) enqueue.sendTo(playerId(replyId), cmd);
    }),
    /** The sentence is heard now, or after the wait the player's clock gave. */
    expectHeard: enqueueActions(({ event, enqueue }, params: { now: boolean }) => {
      assertEvent(event, 'playback.scheduled');
      const started = { type: 'playback.started' as const, replyId: event.replyId, index: event.index, ...(event.ts !== undefined ? { ts: event.ts } : {}) };
      if (params.now) enqueue.raise(started);
      else enqueue.raise(started, { delay: 'untilHeard' });
    }),
    heard: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'playback.started');
      if (!context.replyId) return;
      const slot = context.slots[event.index];
      if (!slot) return;
      enqueue.assign({ heard: [...context.heard, slot.text] });
      enqueue.sendParent({
        type: 'voice.sentenceStarted',
        replyId: context.replyId,
        index: slot.index,
        text: slot.text,
        first: context.heard.length === 0,
        ...(event.ts !== undefined ? { ts: event.ts } : {}),
      } satisfies VoiceOutEvent);
    }),
    report: enqueueActions(({ context, enqueue }, params: { interrupted: boolean }) => {
      if (!context.replyId) return;
      enqueue.sendParent({
        type: 'voice.done',
        replyId: context.replyId,
        spokenText: context.heard.join(' '),
        interrupted: params.interrupted,
      } satisfies VoiceOutEvent);
    }),
  },
}).createMachine({
  id: 'voice',
  context: ({ input }) => ({
    msPerChar: input.msPerChar ?? 65,
    minSentenceMs: input.minSentenceMs ?? 1200,
    maxParallel: Math.max(1, input.maxParallel ?? 2),
    ...fresh,
  }),
  initial: 'idle',
  on: {
    // A new reply replaces whatever was left of the previous one (normally nothing).
    'reply.start': { actions: ['stopAll', 'begin'], target: '.preparing' },
    'reply.sentence': { guard: 'isMine', actions: ['addSentence', 'pump'] },
    'reply.judged': { guard: 'isMine', actions: ['judge', 'pump'] },
    'reply.done': { guard: 'isMine', actions: ['markTextDone', 'pump'] },
    // The brain gave the reply up (LLM error, moderation, watchdog): stop without a report.
    'reply.failed': { guard: 'isMine', actions: ['stopAll', 'reset'], target: '.idle' },
    'voice.skip': { guard: 'active', actions: [{ type: 'report', params: { interrupted: true } }, 'stopAll', 'reset'], target: '.idle' },
    'tts.audio': { guard: 'isMineSlot', actions: ['noteFirstByte', 'buffer', 'pump'] },
    'tts.done': { guard: 'isMineSlot', actions: ['settle', 'pump'] },
    'tts.failed': { guard: 'isMineSlot', actions: ['settle', 'pump'] },
    'playback.drained': { guard: 'isMine', actions: [{ type: 'report', params: { interrupted: false } }, 'stopAll', 'reset'], target: '.idle' },
    'playback.scheduled': [
      { guard: and(['isMine', 'heardNow']), actions: { type: 'expectHeard', params: { now: true } } },
      { guard: 'isMine', actions: { type: 'expectHeard', params: { now: false } } },
    ],
    'xstate.error.actor.*': { actions: 'childFailed' },
  },
  states: {
    idle: {},
    // A reply is under way; nothing heard yet.
    preparing: {
      on: {
        'playback.started': { guard: 'isMine', actions: 'heard', target: 'speaking' },
      },
    },
    speaking: {
      on: {
        'playback.started': { guard: 'isMine', actions: 'heard' },
      },
    },
  },
});
