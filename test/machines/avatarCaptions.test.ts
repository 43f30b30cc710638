import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { providePickle } from '../../machines/orchestrator.ts';
import type { PickleEvent } from '../../machines/events.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';

function start() {
  const llm = fakeLlm();
  const actor = createActor(providePickle({ generateReply: llm.logic }), {
    input: {
      chat: { persona, botLogin: 'pickle_bot', ignoreBots: ['nightbot'] },
      brain: { persona, blocklist: [], random: () => 0.99 },
      voice: { msPerChar: 10, minSentenceMs: 500 },
      avatar: { captionHoldMs: 3000 },
    },
  });
  const seen: PickleEvent[] = [];
  actor.on('*', (e) => seen.push(e as PickleEvent));
  actor.start();
  const captions = () => seen.flatMap((e) => (e.type === 'avatar.caption' ? [e.text] : []));
  return { actor, llm, captions };
}

// The overlay obeys these captions and keeps no timer: every caption shown must be cleared here.
describe('avatar: the caption is shown and cleared by the machine alone', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('clears the caption the hold after the voice ends', () => {
    const p = start();
    p.actor.send({ type: 'chat.message', message: msg('hey @Pickle you there?', { displayName: 'Sam' }) });
    p.llm.reply(['Right here!'], 'happy');
    // The sentence plays for 500 ms (minSentenceMs); then 3000 ms of hold.
    vi.advanceTimersByTime(400);
    expect(p.captions()).toEqual(['Right here!']);
    vi.advanceTimersByTime(2900);
    expect(p.captions()).toEqual(['Right here!']);
    vi.advanceTimersByTime(300);
    expect(p.captions()).toEqual(['Right here!', '']);
  });

  it('a reply starting while the last caption is held clears it before anything else is shown', () => {
    const p = start();
    p.actor.send({ type: 'chat.message', message: msg('hey @Pickle you there?', { displayName: 'Sam' }) });
    p.llm.reply(['Right here!'], 'happy');
    vi.advanceTimersByTime(1000);
    expect(p.captions()).toEqual(['Right here!']);
    p.actor.send({ type: 'chat.message', message: msg('@Pickle and now?', { displayName: 'Kim', user: 'kim' }) });
    vi.advanceTimersByTime(2500);
    expect(p.captions()).toEqual(['Right here!', '']);
    p.llm.reply(['Still here.'], 'smug');
    vi.advanceTimersByTime(100);
    expect(p.captions()).toEqual(['Right here!', '', 'Still here.']);
  });
});
