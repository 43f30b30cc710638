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
  const of = <T extends PickleEvent['type']>(type: T) => seen.filter((e) => e.type === type) as Extract<PickleEvent, { type: T }>[];
  const brainState = () => {
    const v = actor.system.get('brain')!.getSnapshot().value;
    return typeof v === 'string' ? v : Object.values(v)[0];
  };
  return { actor, llm, seen, of, brainState };
}

describe('orchestrator: one reply end to end (machines only)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a mention becomes captions with emotion, speaking frames them, then cooldown', () => {
    const p = start();
    p.actor.send({ type: 'chat.message', message: msg('hey @Pickle how are you?', { displayName: 'Sam' }) });
    expect(p.of('chat.batch')).toHaveLength(1);
    expect(p.brainState()).toBe('thinking');
    expect(p.of('avatar.emotion').at(-1)?.value).toBe('thinking');
    p.llm.reply(['Doing great, Sam!', 'Thanks for asking.'], 'excited');
    expect(p.brainState()).toBe('speaking');
    expect(p.of('avatar.speaking').map((e) => e.value)).toEqual([true]);
    expect(p.of('avatar.caption').map((e) => e.text)).toEqual(['Doing great, Sam!']);
    vi.advanceTimersByTime(500);
    expect(p.of('avatar.caption').map((e) => e.text)).toEqual(['Doing great, Sam!', 'Doing great, Sam! Thanks for asking.']);
    expect(p.of('avatar.caption')[0]!.emotion).toBe('excited');
    vi.advanceTimersByTime(500);
    expect(p.of('avatar.speaking').map((e) => e.value)).toEqual([true, false]);
    expect(p.brainState()).toBe('cooldown');
    expect(p.of('reply.spoken')[0]!.text).toBe('Doing great, Sam! Thanks for asking.');
    vi.advanceTimersByTime(3000);
    expect(p.of('avatar.caption').at(-1)?.text).toBe('');
    vi.advanceTimersByTime(2000);
    expect(p.brainState()).toBe('idle');
  });

  it('!skip from a mod cuts the captions; from a viewer it does nothing', () => {
    const p = start();
    p.actor.send({ type: 'chat.message', message: msg('pickle tell me everything') });
    p.llm.reply(['One.', 'Two.', 'Three.']);
    p.actor.send({ type: 'chat.message', message: msg('!skip', { role: 'viewer' }) });
    vi.advanceTimersByTime(500);
    expect(p.of('avatar.caption')).toHaveLength(2);
    p.actor.send({ type: 'chat.message', message: msg('!skip', { role: 'moderator' }) });
    expect(p.brainState()).toBe('cooldown');
    vi.advanceTimersByTime(5000);
    expect(p.of('avatar.caption').filter((e) => e.text).map((e) => e.text)).toEqual(['One.', 'One. Two.']);
    expect(p.of('reply.spoken')[0]!.text).toBe('One. Two.');
  });

  it('emits every decision for the panel and log', () => {
    const p = start();
    p.actor.send({ type: 'chat.message', message: msg('just chatting') });
    vi.advanceTimersByTime(2000);
    expect(p.of('brain.decision')[0]!.decision).toMatchObject({ respond: false, reason: 'not-addressed' });
  });
});
