/**
 * The avatar machine decides the model's face: each sentence's emotion as VRM expressions
 * (capped, with the easing time), and, only while an overlay shows a model, when the eyes blink
 * and where they look — from random numbers an adapter sends (`avatar.noise`), never drawn here.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, sendTo, setup } from 'xstate';
import { avatarMachine } from '../../machines/avatar.ts';
import { EXPRESSION_CAP, blinkDelayMs } from '../../machines/avatar/face.ts';
import type { AvatarOutEvent, PickleEvent } from '../../machines/events.ts';

function start() {
  const sent: AvatarOutEvent[] = [];
  const parent = setup({
    types: { events: {} as PickleEvent },
    actors: { avatar: avatarMachine },
    actions: {
      record: ({ event }) => {
        if (event.type.startsWith('avatar.') && event.type !== 'avatar.noise' && event.type !== 'avatar.modelsShown') sent.push(event as AvatarOutEvent);
      },
      forward: sendTo('avatar', ({ event }) => event),
    },
  }).createMachine({
    invoke: { src: 'avatar', id: 'avatar', systemId: 'avatar', input: { captionHoldMs: 1000 } },
    on: {
      'avatar.caption': { actions: 'record' },
      'avatar.emotion': { actions: 'record' },
      'avatar.speaking': { actions: 'record' },
      'avatar.expression': { actions: 'record' },
      'avatar.blink': { actions: 'record' },
      'avatar.gaze': { actions: 'record' },
      '*': { actions: 'forward' },
    },
  });
  const actor = createActor(parent).start();
  const of = <T extends AvatarOutEvent['type']>(type: T) => sent.filter((e): e is Extract<AvatarOutEvent, { type: T }> => e.type === type);
  return { actor, sent, of };
}

describe('avatar: the face of a model', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("each sentence's emotion becomes capped expressions as that sentence plays, and the face eases back to neutral after", () => {
    const a = start();
    a.actor.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    a.actor.send({ type: 'reply.sentence', replyId: 'r1', index: 0, text: 'Great news!', emotion: 'happy' });
    a.actor.send({ type: 'reply.sentence', replyId: 'r1', index: 1, text: 'But then it rained.', emotion: 'sad' });
    a.actor.send({ type: 'voice.sentenceStarted', replyId: 'r1', index: 0, text: 'Great news!', first: true });
    let last = a.of('avatar.expression').at(-1)!;
    expect(last.weights.happy).toBe(EXPRESSION_CAP);
    expect(last.weights.sad).toBe(0);
    expect(last.easeMs).toBeGreaterThan(0);
    a.actor.send({ type: 'voice.sentenceStarted', replyId: 'r1', index: 1, text: 'But then it rained.', first: false });
    last = a.of('avatar.expression').at(-1)!;
    expect(last.weights.sad).toBe(EXPRESSION_CAP);
    expect(last.weights.happy).toBe(0);
    for (const e of a.of('avatar.expression')) for (const w of Object.values(e.weights)) expect(w).toBeLessThanOrEqual(EXPRESSION_CAP);

    a.actor.send({ type: 'voice.done', replyId: 'r1', spokenText: '', interrupted: false });
    vi.advanceTimersByTime(1000);
    last = a.of('avatar.expression').at(-1)!;
    expect(last.weights).toEqual({ happy: 0, angry: 0, sad: 0, relaxed: 0, surprised: 0, neutral: EXPRESSION_CAP });
    expect(last.easeMs).toBeGreaterThan(a.of('avatar.expression')[1]!.easeMs);
  });

  it('a mixed emotion blends several expressions', () => {
    const a = start();
    a.actor.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    a.actor.send({ type: 'reply.emotion', replyId: 'r1', emotion: 'excited' });
    const w = a.of('avatar.expression').at(-1)!.weights;
    expect(w.happy).toBeGreaterThan(0.5);
    expect(w.surprised).toBeGreaterThan(0.2);
  });

  it('blinks and eye movements only while an overlay shows a model, timed by the noise it is sent', () => {
    const a = start();
    vi.advanceTimersByTime(60_000);
    expect(a.of('avatar.blink')).toEqual([]);
    expect(a.of('avatar.gaze')).toEqual([]);

    a.actor.send({ type: 'avatar.noise', blink: 0, saccade: 1, yaw: 1, pitch: 0 });
    a.actor.send({ type: 'avatar.modelsShown', count: 1 });
    expect(a.of('avatar.gaze')).toEqual([{ type: 'avatar.gaze', yaw: 0, pitch: 0 }]);
    vi.advanceTimersByTime(blinkDelayMs(0) - 1);
    expect(a.of('avatar.blink')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(a.of('avatar.blink')).toHaveLength(1);
    // The next blink waits as long as the noise then says (the top of the range here).
    a.actor.send({ type: 'avatar.noise', blink: 1, saccade: 1, yaw: 1, pitch: 0 });
    vi.advanceTimersByTime(blinkDelayMs(0));
    expect(a.of('avatar.blink')).toHaveLength(2);
    vi.advanceTimersByTime(blinkDelayMs(1));
    expect(a.of('avatar.blink')).toHaveLength(3);
    // Saccades stay small, around the camera.
    const gazes = a.of('avatar.gaze').slice(1);
    expect(gazes.length).toBeGreaterThan(0);
    for (const g of gazes) {
      expect(Math.abs(g.yaw)).toBeLessThanOrEqual(3);
      expect(Math.abs(g.pitch)).toBeLessThanOrEqual(2);
    }

    a.actor.send({ type: 'avatar.modelsShown', count: 0 });
    const blinks = a.of('avatar.blink').length;
    vi.advanceTimersByTime(60_000);
    expect(a.of('avatar.blink')).toHaveLength(blinks);
  });
});
