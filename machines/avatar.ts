import { assertEvent, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { AvatarOutEvent, BrainOutEvent, Emotion, ExpressionWeights, InputEvent, VoiceOutEvent } from './events.ts';
import { BLINK_MS, EASE_MS, blinkDelayMs, expressionOf, gazeOf, saccadeDelayMs } from './avatar/face.ts';

/**
 * Avatar: what the overlay shows — speaking or not, the face (emotion, and the model's
 * expressions blended from it), the caption, and, while an overlay shows a 3D model, when the eyes
 * blink and where they look. The caption grows sentence by sentence as the voice plays them, and
 * clears a few seconds after the reply ends. Each sentence's emotion takes over the face as that
 * sentence starts playing. The page only renders what it is sent (it eases to the weights over
 * the time given here).
 */

/** How long an overlay may ask the last caption to stay (seconds); other requests are ignored. */
export const CAPTION_HOLD_RANGE_SEC = { min: 1, max: 60 } as const;

export interface AvatarInput {
  captionHoldMs?: number;
}

interface Noise {
  blink: number;
  saccade: number;
  yaw: number;
  pitch: number;
}

interface AvatarContext {
  captionHoldMs: number;
  replyId: string | undefined;
  emotion: Emotion;
  expression: ExpressionWeights;
  /** The emotion of each sentence of the reply, by index, until it plays. */
  sentenceEmotions: Record<number, Emotion>;
  caption: string;
  /** The latest random numbers an adapter drew (used for the next blink and saccade). */
  noise: Noise;
}

type AvatarEvent =
  | Extract<InputEvent, { type: 'caption.holdRequested' | 'avatar.modelsShown' | 'avatar.noise' }>
  | Extract<BrainOutEvent, { type: 'reply.start' | 'reply.emotion' | 'reply.sentence' | 'reply.failed' }>
  | Extract<VoiceOutEvent, { type: 'voice.sentenceStarted' | 'voice.done' }>;

const out = (e: AvatarOutEvent) => e;

export const avatarMachine = setup({
  types: { context: {} as AvatarContext, events: {} as AvatarEvent, input: {} as AvatarInput },
  delays: {
    captionHold: ({ context }) => context.captionHoldMs,
    blinkDelay: ({ context }) => blinkDelayMs(context.noise.blink),
    saccadeDelay: ({ context }) => saccadeDelayMs(context.noise.saccade),
  },
  guards: {
    isMine: ({ context, event }) => 'replyId' in event && event.replyId === context.replyId,
    isSensibleHold: ({ event }) =>
      event.type === 'caption.holdRequested' &&
      Number.isFinite(event.seconds) &&
      event.seconds >= CAPTION_HOLD_RANGE_SEC.min &&
      event.seconds <= CAPTION_HOLD_RANGE_SEC.max,
    someModelShown: ({ event }) => event.type === 'avatar.modelsShown' && event.count > 0,
    noModelShown: ({ event }) => event.type === 'avatar.modelsShown' && event.count <= 0,
  },
  actions: {
    /** One hold for every overlay: the last one that asked sets it (a new reply keeps taking the caption down at once). */
    setHold: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'caption.holdRequested');
      enqueue.assign({ captionHoldMs: Math.round(event.seconds * 1000) });
    }),
    takeNoise: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'avatar.noise');
      enqueue.assign({ noise: { blink: event.blink, saccade: event.saccade, yaw: event.yaw, pitch: event.pitch } });
    }),
    begin: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.start');
      const expression = expressionOf('thinking');
      enqueue.assign({ replyId: event.replyId, emotion: 'thinking', caption: '', expression, sentenceEmotions: {} });
      // A reply that starts while the last caption is held takes it down: the overlay shows what the context says.
      if (context.caption) enqueue.sendParent(out({ type: 'avatar.caption', text: '', emotion: 'thinking' }));
      enqueue.sendParent(out({ type: 'avatar.emotion', value: 'thinking' }));
      enqueue.sendParent(out({ type: 'avatar.expression', weights: expression, easeMs: EASE_MS.sentence }));
    }),
    setEmotion: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.emotion');
      if (event.emotion === context.emotion) return;
      const expression = expressionOf(event.emotion);
      enqueue.assign({ emotion: event.emotion, expression });
      enqueue.sendParent(out({ type: 'avatar.emotion', value: event.emotion }));
      enqueue.sendParent(out({ type: 'avatar.expression', weights: expression, easeMs: EASE_MS.sentence }));
    }),
    noteSentence: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.sentence');
      enqueue.assign({ sentenceEmotions: { ...context.sentenceEmotions, [event.index]: event.emotion } });
    }),
    speaking: enqueueActions(({ enqueue }, params: { value: boolean }) => {
      enqueue.sendParent(out({ type: 'avatar.speaking', value: params.value }));
    }),
    addCaption: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'voice.sentenceStarted');
      const caption = context.caption ? `${context.caption} ${event.text}` : event.text;
      // The sentence now heard brings its own emotion to the face.
      const emotion = context.sentenceEmotions[event.index] ?? context.emotion;
      const { [event.index]: _played, ...rest } = context.sentenceEmotions;
      enqueue.assign({ caption, emotion, sentenceEmotions: rest });
      if (emotion !== context.emotion) {
        const expression = expressionOf(emotion);
        enqueue.assign({ expression });
        enqueue.sendParent(out({ type: 'avatar.emotion', value: emotion }));
        enqueue.sendParent(out({ type: 'avatar.expression', weights: expression, easeMs: EASE_MS.sentence }));
      }
      enqueue.sendParent(out({ type: 'avatar.caption', text: caption, emotion }));
    }),
    clear: enqueueActions(({ enqueue }) => {
      const expression = expressionOf('neutral');
      enqueue.assign({ caption: '', emotion: 'neutral', replyId: undefined, expression, sentenceEmotions: {} });
      enqueue.sendParent(out({ type: 'avatar.caption', text: '', emotion: 'neutral' }));
      enqueue.sendParent(out({ type: 'avatar.emotion', value: 'neutral' }));
      enqueue.sendParent(out({ type: 'avatar.expression', weights: expression, easeMs: EASE_MS.rest }));
    }),
    blink: enqueueActions(({ enqueue }) => {
      enqueue.sendParent(out({ type: 'avatar.blink', ms: BLINK_MS }));
    }),
    saccade: enqueueActions(({ context, enqueue }) => {
      enqueue.sendParent(out({ type: 'avatar.gaze', ...gazeOf(context.noise.yaw, context.noise.pitch) }));
    }),
    lookAtCamera: enqueueActions(({ enqueue }) => {
      enqueue.sendParent(out({ type: 'avatar.gaze', yaw: 0, pitch: 0 }));
    }),
  },
}).createMachine({
  id: 'avatar',
  context: ({ input }) => ({
    captionHoldMs: input.captionHoldMs ?? 5000,
    replyId: undefined,
    emotion: 'neutral',
    expression: expressionOf('neutral'),
    sentenceEmotions: {},
    caption: '',
    noise: { blink: 0.5, saccade: 0.5, yaw: 0.5, pitch: 0.5 },
  }),
  type: 'parallel',
  on: {
    'reply.start': { actions: 'begin', target: '.caption.preparing' },
    'caption.holdRequested': { guard: 'isSensibleHold', actions: 'setHold' },
    'avatar.noise': { actions: 'takeNoise' },
  },
  states: {
    caption: {
      initial: 'idle',
      states: {
        idle: {},
        preparing: {
          on: {
            'reply.emotion': { guard: 'isMine', actions: 'setEmotion' },
            'reply.sentence': { guard: 'isMine', actions: 'noteSentence' },
            'voice.sentenceStarted': { guard: 'isMine', actions: [{ type: 'speaking', params: { value: true } }, 'addCaption'], target: 'speaking' },
            'reply.failed': { guard: 'isMine', actions: 'clear', target: 'idle' },
          },
        },
        speaking: {
          on: {
            'reply.emotion': { guard: 'isMine', actions: 'setEmotion' },
            'reply.sentence': { guard: 'isMine', actions: 'noteSentence' },
            'voice.sentenceStarted': { guard: 'isMine', actions: 'addCaption' },
            'voice.done': { guard: 'isMine', actions: { type: 'speaking', params: { value: false } }, target: 'holding' },
          },
        },
        // The last caption stays readable for a moment after the voice stops.
        holding: {
          after: { captionHold: { actions: 'clear', target: 'idle' } },
        },
      },
    },
    // Blinking and eye movements only while some overlay shows a model (the built-in face keeps its own).
    face: {
      initial: 'still',
      states: {
        still: {
          on: { 'avatar.modelsShown': { guard: 'someModelShown', target: 'alive' } },
        },
        alive: {
          type: 'parallel',
          entry: 'lookAtCamera',
          on: { 'avatar.modelsShown': { guard: 'noModelShown', target: 'still' } },
          states: {
            eyelids: {
              initial: 'open',
              states: { open: { after: { blinkDelay: { target: 'open', reenter: true, actions: 'blink' } } } },
            },
            gaze: {
              initial: 'holding',
              states: { holding: { after: { saccadeDelay: { target: 'holding', reenter: true, actions: 'saccade' } } } },
            },
          },
        },
      },
    },
  },
});

export type AvatarActor = ActorRefFrom<typeof avatarMachine>;
