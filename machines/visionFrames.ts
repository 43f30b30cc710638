import { assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import type { PickleEvent } from './events.ts';
import { sameScene } from './visionBatcher.ts';

/**
 * Which camera frames the vision model describes, and which descriptions go on as scenes: one
 * frame at a time (frames that arrive meanwhile are turned away: the camera page sends the next
 * changed one); after the model failed for a reason that takes a while to pass (Ollama down, the
 * model missing or unable to see), frames wait `modelRetryMs`; a description that says the same
 * as the previous scene is not sent on. The adapter (src/vision/index.ts) asks with
 * `frame.arrived` and describes the frame when this emits `frame.describe`; a new scene is sent to
 * the parent as `vision.scene` (the orchestrator routes it to the batcher) and emitted as
 * `scene.new` for the adapter's counters and log.
 */

/**
 * What counts as a changed frame, applied by the camera page to a tiny thumbnail before anything
 * is sent (so an unchanged scene costs no request): the mean difference per pixel, the difference
 * that makes a cell count as changed, and the share of changed cells that makes the frame new.
 */
export const FRAME_CHANGE = { thumbWidth: 32, meanThreshold: 10, cellThreshold: 24, changedShare: 0.08 } as const;

export interface VisionFramesInput {
  /** How long frames wait after the model failed (missing, Ollama down). */
  modelRetryMs: number;
}

export type VisionFramesEvent =
  | { type: 'frame.arrived' }
  /** The model described the frame (the text already cleaned); `ts`: when. */
  | { type: 'frame.described'; text: string; ts: number }
  /** `modelDown`: the model is missing, cannot see, or Ollama does not answer. */
  | { type: 'frame.failed'; modelDown: boolean }
  /** A description that came another way (the page's own model, Overshoot). */
  | { type: 'scene.described'; text: string; ts: number };

export type VisionFramesEmitted =
  | { type: 'frame.describe' }
  | { type: 'frame.refused'; why: 'busy' | 'model-down' }
  | { type: 'scene.new'; text: string; ts: number }
  | { type: 'scene.repeated' };

interface VisionFramesContext extends VisionFramesInput {
  lastScene: string | undefined;
}

export const visionFramesMachine = setup({
  types: {
    context: {} as VisionFramesContext,
    events: {} as VisionFramesEvent,
    input: {} as VisionFramesInput,
    emitted: {} as VisionFramesEmitted,
  },
  delays: {
    modelRetry: ({ context }) => context.modelRetryMs,
  },
  guards: {
    modelDown: ({ event }) => event.type === 'frame.failed' && event.modelDown,
    repeated: ({ context, event }) =>
      (event.type === 'frame.described' || event.type === 'scene.described') && context.lastScene !== undefined && sameScene(context.lastScene, event.text),
  },
  actions: {
    describe: emit({ type: 'frame.describe' }),
    refuseBusy: emit({ type: 'frame.refused', why: 'busy' }),
    refuseModelDown: emit({ type: 'frame.refused', why: 'model-down' }),
    repeat: emit({ type: 'scene.repeated' }),
    newScene: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, ['frame.described', 'scene.described']);
      enqueue.sendParent({ type: 'vision.scene', text: event.text, ts: event.ts } satisfies Extract<PickleEvent, { type: 'vision.scene' }>);
      enqueue.emit({ type: 'scene.new', text: event.text, ts: event.ts });
    }),
    noteScene: assign({
      lastScene: ({ event }) => {
        assertEvent(event, ['frame.described', 'scene.described']);
        return event.text;
      },
    }),
  },
}).createMachine({
  id: 'visionFrames',
  context: ({ input }) => ({ ...input, lastScene: undefined }),
  initial: 'ready',
  on: {
    'scene.described': [{ guard: 'repeated', actions: 'repeat' }, { actions: ['noteScene', 'newScene'] }],
  },
  states: {
    ready: {
      on: { 'frame.arrived': { target: 'describing', actions: 'describe' } },
    },
    describing: {
      on: {
        'frame.arrived': { actions: 'refuseBusy' },
        'frame.described': [
          { guard: 'repeated', target: 'ready', actions: 'repeat' },
          { target: 'ready', actions: ['noteScene', 'newScene'] },
        ],
        'frame.failed': [{ guard: 'modelDown', target: 'modelDown' }, { target: 'ready' }],
      },
    },
    /** The model failed in a way that lasts: frames wait, then the next one tries again. */
    modelDown: {
      after: { modelRetry: 'ready' },
      on: { 'frame.arrived': { actions: 'refuseModelDown' } },
    },
  },
});
