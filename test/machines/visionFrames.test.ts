/** Which camera frames are described and which scenes go on: the visionFrames machine with fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { providePickle } from '../../machines/orchestrator.ts';
import { visionFramesMachine, type VisionFramesEmitted } from '../../machines/visionFrames.ts';
import { orchestratorChildren } from '../../src/children.ts';
import { fakeLlm } from './fakeLlm.ts';
import { harness } from './harness.ts';
import { persona } from './fixtures.ts';

/** Under a recording parent, as the orchestrator runs it: a new scene goes up as `vision.scene` (`up`); the adapter's answers are emitted (`out`). */
function frames(modelRetryMs = 15_000) {
  const h = harness(visionFramesMachine, { modelRetryMs });
  const out: VisionFramesEmitted[] = [];
  h.child().on('*', (e: VisionFramesEmitted) => out.push(e));
  return { actor: { send: h.send }, out, up: h.out, arrive: () => h.send({ type: 'frame.arrived' }) };
}

describe('visionFrames', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('one frame at a time: frames arriving while one is described are turned away, answered at once', () => {
    const f = frames();
    f.arrive();
    expect(f.out).toEqual([{ type: 'frame.describe' }]);
    f.arrive();
    expect(f.out.at(-1)).toEqual({ type: 'frame.refused', why: 'busy' });
    f.actor.send({ type: 'frame.described', text: 'a red wall', ts: 1 });
    expect(f.out.at(-1)).toEqual({ type: 'scene.new', text: 'a red wall', ts: 1 });
    expect(f.up).toEqual([{ type: 'vision.scene', text: 'a red wall', ts: 1 }]);
    f.arrive();
    expect(f.out.at(-1)).toEqual({ type: 'frame.describe' });
  });

  it('the model down: frames wait modelRetryMs on the machine clock, then the next one is tried', () => {
    const f = frames(15_000);
    f.arrive();
    f.actor.send({ type: 'frame.failed', modelDown: true });
    f.arrive();
    expect(f.out.at(-1)).toEqual({ type: 'frame.refused', why: 'model-down' });
    vi.advanceTimersByTime(14_999);
    f.arrive();
    expect(f.out.at(-1)).toEqual({ type: 'frame.refused', why: 'model-down' });
    vi.advanceTimersByTime(1);
    f.arrive();
    expect(f.out.at(-1)).toEqual({ type: 'frame.describe' });
  });

  it('a passing failure (a timeout, a 500) does not hold the next frame back', () => {
    const f = frames();
    f.arrive();
    f.actor.send({ type: 'frame.failed', modelDown: false });
    f.arrive();
    expect(f.out.at(-1)).toEqual({ type: 'frame.describe' });
  });

  it('a description that says the same as the previous scene is not sent on, whichever way it came', () => {
    const f = frames();
    f.arrive();
    f.actor.send({ type: 'frame.described', text: 'a person at a desk with a laptop', ts: 1 });
    f.arrive();
    f.actor.send({ type: 'frame.described', text: 'A person at a desk with a laptop.', ts: 2 });
    f.actor.send({ type: 'scene.described', text: 'a person at a desk with a laptop', ts: 3 });
    f.actor.send({ type: 'scene.described', text: 'a dog runs across a park', ts: 4 });
    expect(f.out.filter((e) => e.type === 'scene.new' || e.type === 'scene.repeated')).toEqual([
      { type: 'scene.new', text: 'a person at a desk with a laptop', ts: 1 },
      { type: 'scene.repeated' },
      { type: 'scene.repeated' },
      { type: 'scene.new', text: 'a dog runs across a park', ts: 4 },
    ]);
  });

  it("runs as the orchestrator's child visionFrames", () => {
    const actor = createActor(providePickle({ generateReply: fakeLlm().logic }), {
      input: { chat: { persona, ignoreBots: [] }, brain: { persona, blocklist: [], random: () => 0.99 } },
    });
    actor.start();
    const child = orchestratorChildren(actor).start({ src: 'visionFrames', systemId: 'visionFrames', input: { modelRetryMs: 100 } });
    expect(actor.system.get('visionFrames')).toBe(child);
    child.send({ type: 'frame.arrived' });
    child.send({ type: 'frame.failed', modelDown: true });
    vi.advanceTimersByTime(100);
    expect(child.getSnapshot().value).toBe('ready');
    actor.stop();
  });
});
