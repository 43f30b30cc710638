/**
 * The avatar machine decides when a caption shows and when it goes: the overlay only follows
 * its `avatar.caption` events, so the machine's context and what it sent always agree.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assertEvent, createActor, sendTo, setup } from 'xstate';
import { avatarMachine } from '../../machines/avatar.ts';
import type { AvatarOutEvent, PickleEvent } from '../../machines/events.ts';

/** The avatar under a parent that records what it sends up (as the orchestrator does). */
function start(captionHoldMs = 3000) {
  const sent: AvatarOutEvent[] = [];
  const parent = setup({
    types: { events: {} as PickleEvent },
    actors: { avatar: avatarMachine },
    actions: {
      record: ({ event }) => {
        assertEvent(event, ['avatar.caption', 'avatar.emotion', 'avatar.speaking']);
        sent.push(event);
      },
      forward: sendTo('avatar', ({ event }) => event),
    },
  }).createMachine({
    invoke: { src: 'avatar', id: 'avatar', systemId: 'avatar', input: { captionHoldMs } },
    on: {
      'avatar.caption': { actions: 'record' },
      'avatar.emotion': { actions: 'record' },
      'avatar.speaking': { actions: 'record' },
      '*': { actions: 'forward' },
    },
  });
  const actor = createActor(parent).start();
  const avatar = () => actor.system.get('avatar')!.getSnapshot() as { value: string; context: { caption: string } };
  const captions = () => sent.filter((e) => e.type === 'avatar.caption').map((e) => e.text);
  const speak = (replyId: string, text: string) => {
    actor.send({ type: 'reply.start', replyId, prompt: [] });
    actor.send({ type: 'voice.sentenceStarted', replyId, index: 0, text, first: true });
    actor.send({ type: 'voice.done', replyId, spokenText: text, interrupted: false });
  };
  return { actor, avatar, captions, speak };
}

describe('avatar: caption timing is decided here', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('the caption stays for the hold after the voice stops, then a clear is sent', () => {
    const a = start(3000);
    a.speak('r1', 'Hello there.');
    expect(a.captions()).toEqual(['Hello there.']);
    vi.advanceTimersByTime(2999);
    expect(a.captions()).toEqual(['Hello there.']);
    vi.advanceTimersByTime(1);
    expect(a.captions()).toEqual(['Hello there.', '']);
    expect(a.avatar().context.caption).toBe('');
  });

  it('a reply starting while the last caption is held clears it at once, and the old hold sends nothing later', () => {
    const a = start(3000);
    a.speak('r1', 'First.');
    vi.advanceTimersByTime(1000);
    a.actor.send({ type: 'reply.start', replyId: 'r2', prompt: [] });
    expect(a.captions()).toEqual(['First.', '']);
    expect(a.avatar().context.caption).toBe('');
    vi.advanceTimersByTime(10_000);
    expect(a.captions()).toEqual(['First.', '']);
    a.actor.send({ type: 'voice.sentenceStarted', replyId: 'r2', index: 0, text: 'Second.', first: true });
    expect(a.captions()).toEqual(['First.', '', 'Second.']);
  });

  it('a reply starting with no caption up sends no clear', () => {
    const a = start(3000);
    a.actor.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    expect(a.captions()).toEqual([]);
  });

  it("an overlay's ?hold= sets the one hold for every overlay; nonsense is ignored", () => {
    const a = start(3000);
    for (const seconds of [0, 0.5, 61, Number.NaN, Number.POSITIVE_INFINITY, -2]) a.actor.send({ type: 'caption.holdRequested', seconds });
    a.speak('r1', 'One.');
    vi.advanceTimersByTime(2999);
    expect(a.captions()).toEqual(['One.']);
    vi.advanceTimersByTime(1);
    expect(a.captions()).toEqual(['One.', '']);

    a.actor.send({ type: 'caption.holdRequested', seconds: 8 });
    a.speak('r2', 'Two.');
    vi.advanceTimersByTime(7999);
    expect(a.captions()).toEqual(['One.', '', 'Two.']);
    vi.advanceTimersByTime(1);
    expect(a.captions()).toEqual(['One.', '', 'Two.', '']);
  });
});

