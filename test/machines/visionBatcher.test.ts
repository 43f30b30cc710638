import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { sameScene, sceneSimilarity, visionBatcherMachine, VISION_BATCH_SIZE, VISION_BATCH_WINDOW_MS } from '../../machines/visionBatcher.ts';
import { providePickle } from '../../machines/orchestrator.ts';
import type { PickleEvent } from '../../machines/events.ts';
import { harness } from './harness.ts';
import { fakeLlm } from './fakeLlm.ts';
import { persona } from './fixtures.ts';

let ts = 1_700_000_000_000;
const scene = (text: string): Extract<PickleEvent, { type: 'vision.scene' }> => ({ type: 'vision.scene', text, ts: (ts += 1000) });

describe('visionBatcher: the seed\'s 5 scenes or 15 s', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('the seed numbers are the defaults', () => {
    expect(VISION_BATCH_SIZE).toBe(5);
    expect(VISION_BATCH_WINDOW_MS).toBe(15_000);
  });

  it('emits at the 5th scene, at once, with the scenes in order', () => {
    const h = harness(visionBatcherMachine, {});
    const texts = ['a kitchen', 'a dog on a sofa', 'a busy street at night', 'a bike shop', 'a beach at sunset'];
    for (const [i, t] of texts.entries()) {
      h.send(scene(t));
      expect(h.of('vision.batch')).toHaveLength(i === 4 ? 1 : 0);
    }
    const [batch] = h.of('vision.batch');
    expect(batch!.flush).toBe('size');
    expect(batch!.scenes.map((s) => s.text)).toEqual(texts);
    // Nothing left over: no timer flush later.
    vi.advanceTimersByTime(60_000);
    expect(h.of('vision.batch')).toHaveLength(1);
  });

  it('emits 15 s after the first scene of a batch, however many came after it', () => {
    const h = harness(visionBatcherMachine, {});
    h.send(scene('a kitchen'));
    vi.advanceTimersByTime(10_000);
    h.send(scene('a dog on a sofa'));
    vi.advanceTimersByTime(4_999);
    expect(h.of('vision.batch')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(h.of('vision.batch')).toHaveLength(1);
    expect(h.of('vision.batch')[0]).toMatchObject({ flush: 'timer' });
    expect(h.of('vision.batch')[0]!.scenes.map((s) => s.text)).toEqual(['a kitchen', 'a dog on a sofa']);
    // The next batch has its own window from its own first scene.
    vi.advanceTimersByTime(20_000);
    h.send(scene('a beach'));
    vi.advanceTimersByTime(14_999);
    expect(h.of('vision.batch')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(h.of('vision.batch')).toHaveLength(2);
  });

  it('no scenes, no batch', () => {
    const h = harness(visionBatcherMachine, {});
    vi.advanceTimersByTime(120_000);
    h.send(scene('   '));
    vi.advanceTimersByTime(120_000);
    expect(h.of('vision.batch')).toHaveLength(0);
  });

  it('near-duplicate descriptions collapse into one scene (latest wording, repeat count) and still count towards 5', () => {
    const h = harness(visionBatcherMachine, {});
    h.send(scene('A man sits at a desk.'));
    h.send(scene('a man sitting at the desk'));
    h.send(scene('A cat jumps onto the desk'));
    h.send(scene('A man is sitting at a desk'));
    expect(h.of('vision.batch')).toHaveLength(0);
    h.send(scene('The man sits at his desk.'));
    const [batch] = h.of('vision.batch');
    const scenes = batch!.scenes;
    expect(scenes.map((s) => [s.text, s.repeats])).toEqual([
      ['The man sits at his desk.', 4],
      ['A cat jumps onto the desk', 1],
    ]);
  });

  it.each([
    ['A man sits at a desk.', 'a man sitting at the desk', true],
    ['A person walking a dog in a park', 'A person walks their dog in the park.', true],
    ['A mostly red scene', 'A mostly blue scene', false],
    ['A busy street with cars at night', 'A kitchen with a woman cooking', false],
  ])('sameScene(%j, %j) = %s', (a, b, same) => {
    expect(sameScene(a, b)).toBe(same);
    expect(sceneSimilarity(b, a)).toBeCloseTo(sceneSimilarity(a, b));
  });

  it('window and size are inputs', () => {
    const h = harness(visionBatcherMachine, { maxScenes: 2, windowMs: 100 });
    h.send(scene('one thing'));
    vi.advanceTimersByTime(100);
    h.send(scene('another thing'));
    h.send(scene('third thing entirely'));
    expect(h.of('vision.batch').map((b) => b.flush)).toEqual(['timer', 'size']);
  });
});

describe('orchestrator: vision.scene → visionBatcher → vision.batch → brain', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function start(rolls: number[]) {
    const llm = fakeLlm();
    const queue = [...rolls];
    const actor = createActor(providePickle({ generateReply: llm.logic }), {
      input: {
        chat: { persona, ignoreBots: [] },
        brain: { persona, blocklist: [], random: () => queue.shift() ?? 0.99 },
        voice: { msPerChar: 1, minSentenceMs: 10 },
        avatar: { captionHoldMs: 100 },
      },
    });
    const seen: PickleEvent[] = [];
    actor.on('*', (e) => seen.push(e as PickleEvent));
    actor.start();
    const of = <T extends PickleEvent['type']>(type: T) => seen.filter((e) => e.type === type) as Extract<PickleEvent, { type: T }>[];
    return { actor, llm, of };
  }

  it('scenes are routed to the batcher, the batch to the brain, which decides about it as vision input', () => {
    const p = start([0.99]);
    for (const t of ['a kitchen', 'a dog', 'a street', 'a shop', 'a beach']) p.actor.send({ type: 'vision.scene', text: t, ts: (ts += 1000) });
    expect(p.of('vision.batch')).toHaveLength(1);
    expect(p.of('brain.decision').map((e) => e.decision)).toMatchObject([{ input: 'vision', respond: false, reason: 'not-addressed' }]);
    p.actor.stop();
  });
});
