import { assertEvent, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { AvatarOutEvent, BrainOutEvent, Emotion, InputEvent, VoiceOutEvent } from './events.ts';

/**
 * Avatar: what the overlay shows — speaking or not, the face (emotion) and the caption.
 * The caption grows sentence by sentence as the voice plays them, and clears a few seconds
 * after the reply ends.
 */

/** How long an overlay may ask the last caption to stay (seconds); other requests are ignored. */
export const CAPTION_HOLD_RANGE_SEC = { min: 1, max: 60 } as const;

export interface AvatarInput {
  captionHoldMs?: number;
}

interface AvatarContext {
  captionHoldMs: number;
  replyId: string | undefined;
  emotion: Emotion;
  caption: string;
}

type AvatarEvent =
  | Extract<InputEvent, { type: 'caption.holdRequested' }>
  | Extract<BrainOutEvent, { type: 'reply.start' | 'reply.emotion' | 'reply.failed' }>
  | Extract<VoiceOutEvent, { type: 'voice.started' | 'voice.playing' | 'voice.done' }>;

const out = (e: AvatarOutEvent) => e;

export const avatarMachine = setup({
  types: { context: {} as AvatarContext, events: {} as AvatarEvent, input: {} as AvatarInput },
  delays: { captionHold: ({ context }) => context.captionHoldMs },
  guards: {
    isMine: ({ context, event }) => 'replyId' in event && event.replyId === context.replyId,
    isSensibleHold: ({ event }) =>
      event.type === 'caption.holdRequested' &&
      Number.isFinite(event.seconds) &&
      event.seconds >= CAPTION_HOLD_RANGE_SEC.min &&
      event.seconds <= CAPTION_HOLD_RANGE_SEC.max,
  },
  actions: {
    /** One hold for every overlay: the last one that asked sets it (a new reply keeps taking the caption down at once). */
    setHold: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'caption.holdRequested');
      enqueue.assign({ captionHoldMs: Math.round(event.seconds * 1000) });
    }),
    begin: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.start');
      enqueue.assign({ replyId: event.replyId, emotion: 'thinking', caption: '' });
      // A reply that starts while the last caption is held takes it down: the overlay shows what the context says.
      if (context.caption) enqueue.sendParent(out({ type: 'avatar.caption', text: '', emotion: 'thinking' }));
      enqueue.sendParent(out({ type: 'avatar.emotion', value: 'thinking' }));
    }),
    setEmotion: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'reply.emotion');
      enqueue.assign({ emotion: event.emotion });
      enqueue.sendParent(out({ type: 'avatar.emotion', value: event.emotion }));
    }),
    speaking: enqueueActions(({ enqueue }, params: { value: boolean }) => {
      enqueue.sendParent(out({ type: 'avatar.speaking', value: params.value }));
    }),
    addCaption: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'voice.playing');
      const caption = context.caption ? `${context.caption} ${event.text}` : event.text;
      enqueue.assign({ caption });
      enqueue.sendParent(out({ type: 'avatar.caption', text: caption, emotion: context.emotion }));
    }),
    clear: enqueueActions(({ enqueue }) => {
      enqueue.assign({ caption: '', emotion: 'neutral', replyId: undefined });
      enqueue.sendParent(out({ type: 'avatar.caption', text: '', emotion: 'neutral' }));
      enqueue.sendParent(out({ type: 'avatar.emotion', value: 'neutral' }));
    }),
  },
}).createMachine({
  id: 'avatar',
  context: ({ input }) => ({ captionHoldMs: input.captionHoldMs ?? 5000, replyId: undefined, emotion: 'neutral', caption: '' }),
  initial: 'idle',
  on: {
    'reply.start': { actions: 'begin', target: '.preparing' },
    'caption.holdRequested': { guard: 'isSensibleHold', actions: 'setHold' },
  },
  states: {
    idle: {},
    preparing: {
      on: {
        'reply.emotion': { guard: 'isMine', actions: 'setEmotion' },
        'voice.started': { guard: 'isMine', actions: { type: 'speaking', params: { value: true } }, target: 'speaking' },
        'reply.failed': { guard: 'isMine', actions: 'clear', target: 'idle' },
      },
    },
    speaking: {
      on: {
        'reply.emotion': { guard: 'isMine', actions: 'setEmotion' },
        'voice.playing': { guard: 'isMine', actions: 'addCaption' },
        'voice.done': { guard: 'isMine', actions: { type: 'speaking', params: { value: false } }, target: 'holding' },
      },
    },
    // The last caption stays readable for a moment after the voice stops.
    holding: {
      after: { captionHold: { actions: 'clear', target: 'idle' } },
    },
  },
});

export type AvatarActor = ActorRefFrom<typeof avatarMachine>;
