import { enqueueActions, setup } from 'xstate';
import type { InputEvent, VisionOutEvent, VisionScene } from './events.ts';

/**
 * Vision batcher: the seed's batching of camera scenes. Scene descriptions are collected
 * until 5 have arrived or 15 s have passed since the first one, then sent to the brain as
 * one `vision.batch`, so Pickle does not react to every frame. Descriptions that say the
 * same thing in other words ("A man sits at a desk." / "a man sitting at the desk") are
 * collapsed into one scene with a repeat count; they still count towards the 5.
 */

export interface VisionBatcherInput {
  /** Scenes per batch (seed: 5). */
  maxScenes?: number;
  /** Window from the first scene of a batch (seed: 15 s). */
  windowMs?: number;
  /** Word-set similarity from which two descriptions count as the same scene (0–1). */
  similarity?: number;
}

export const VISION_BATCH_SIZE = 5;
export const VISION_BATCH_WINDOW_MS = 15_000;
export const SCENE_SIMILARITY = 0.8;

interface BatcherContext {
  maxScenes: number;
  windowMs: number;
  similarity: number;
  scenes: VisionScene[];
  /** Scene events in this batch, duplicates included. */
  received: number;
}

type BatcherEvent = Extract<InputEvent, { type: 'vision.scene' }>;

const STOPWORDS = new Set([
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'being', 'of', 'in', 'on', 'at', 'to', 'with', 'and', 'or',
  'this', 'that', 'there', 'it', 'its', 'image', 'picture', 'photo', 'frame', 'shows', 'showing', 'scene', 'camera',
  'appears', 'seems', 'can', 'seen', 'visible', 'some', 'while', 'his', 'her', 'their', 'my', 'your', 'our', 'he',
  'she', 'they', 'who', 'which',
]);

/** The content words of a description: lowercase, no punctuation, no filler, crude singular/-ing folding. */
export function sceneWords(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !STOPWORDS.has(w))
    .map(stem);
  return new Set(words);
}

/** sitting/sits → sit, walking/walks → walk, dishes → dish: enough for two captions of one frame. */
function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) {
    const s = w.slice(0, -3);
    return /([^aeiou])\1$/.test(s) ? s.slice(0, -1) : s;
  }
  if (w.length > 4 && /(sh|ch|x|ss)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Jaccard similarity of the content words (1 = same words, 0 = nothing in common). */
export function sceneSimilarity(a: string, b: string): number {
  const wa = sceneWords(a);
  const wb = sceneWords(b);
  if (wa.size === 0 && wb.size === 0) return a.trim().toLowerCase() === b.trim().toLowerCase() ? 1 : 0;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return common / (wa.size + wb.size - common);
}

/** Whether two descriptions say the same thing (in the batcher, and for the adapter's "nothing new" check). */
export function sameScene(a: string, b: string, threshold = SCENE_SIMILARITY): boolean {
  return sceneSimilarity(a, b) >= threshold;
}

export const visionBatcherMachine = setup({
  types: {
    context: {} as BatcherContext,
    events: {} as BatcherEvent,
    input: {} as VisionBatcherInput,
  },
  delays: { window: ({ context }) => context.windowMs },
  guards: {
    hasScenes: ({ context }) => context.received > 0,
    empty: ({ context }) => context.received === 0,
  },
  actions: {
    take: enqueueActions(({ context, event, enqueue }) => {
      const text = event.text.trim();
      if (!text) return;
      const scenes = context.scenes.slice();
      const same = scenes.findIndex((s) => sameScene(s.text, text, context.similarity));
      if (same >= 0) {
        // The latest wording wins (it describes the newest frame); the count says how long it lasted.
        const prev = scenes[same]!;
        scenes[same] = { text, ts: event.ts, repeats: prev.repeats + 1 };
      } else {
        scenes.push({ text, ts: event.ts, repeats: 1 });
      }
      const received = context.received + 1;
      if (received >= context.maxScenes) {
        enqueue.sendParent({ type: 'vision.batch', scenes, flush: 'size' } satisfies VisionOutEvent);
        enqueue.assign({ scenes: [], received: 0 });
      } else {
        enqueue.assign({ scenes, received });
      }
    }),
    flushTimer: enqueueActions(({ context, enqueue }) => {
      if (context.received === 0) return;
      enqueue.sendParent({ type: 'vision.batch', scenes: context.scenes, flush: 'timer' } satisfies VisionOutEvent);
      enqueue.assign({ scenes: [], received: 0 });
    }),
  },
}).createMachine({
  id: 'visionBatcher',
  context: ({ input }) => ({
    maxScenes: input.maxScenes ?? VISION_BATCH_SIZE,
    windowMs: input.windowMs ?? VISION_BATCH_WINDOW_MS,
    similarity: input.similarity ?? SCENE_SIMILARITY,
    scenes: [],
    received: 0,
  }),
  initial: 'idle',
  on: {
    'vision.scene': { actions: 'take' },
  },
  states: {
    // As in chat: the window runs from the first scene of a batch and is never restarted by later ones.
    idle: {
      always: { guard: 'hasScenes', target: 'collecting' },
    },
    collecting: {
      always: { guard: 'empty', target: 'idle' },
      after: { window: { actions: 'flushTimer', target: 'idle' } },
    },
  },
});
