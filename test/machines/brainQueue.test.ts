import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brainMachine } from '../../machines/brain.ts';
import { BREATH_MS } from '../../machines/brain/conversation.ts';
import { ENTRY_TTL_MS } from '../../machines/brain/addressed.ts';
import type { ChatMessage } from '../../machines/events.ts';
import { harness } from './harness.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';

/** The addressed queue: who spoke to Pickle while it was busy, answered in rank order after a breath. */
function setup(opts: { cooldownSec?: number } = {}) {
  const llm = fakeLlm();
  const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic } }), {
    persona: { ...persona, cooldownSec: opts.cooldownSec ?? 5 },
    blocklist: [],
    random: () => 0.99,
  });
  const state = () => {
    const v = h.snapshot().value;
    return typeof v === 'string' ? v : Object.values(v as object)[0];
  };
  const batch = (...messages: ChatMessage[]) => h.send({ type: 'chat.batch', messages, flush: 'mention' });
  const replyId = () => llm.last().input.replyId;
  /** The current reply is written, heard, and over. */
  const speakAndFinish = (text = 'Sure.') => {
    llm.reply([text]);
    h.send({ type: 'voice.sentenceStarted', replyId: replyId(), index: 0, text: text, first: true });
    h.send({ type: 'voice.done', replyId: replyId(), spokenText: text, interrupted: false });
  };
  const startSpeaking = () => {
    llm.last().emit({ type: 'llm.sentence', text: 'Talking now.' });
    h.send({ type: 'voice.sentenceStarted', replyId: replyId(), index: 0, text: 'Talking now.', first: true });
  };
  const decisions = () => h.of('brain.decision').map((e) => e.decision);
  const answeredIds = () => h.of('reply.start').map((e) => e.triggerId as string | undefined);
  const newInput = () => llm.last().input.messages[1]!.content.split('New input')[1]!;
  return { h, llm, state, batch, speakAndFinish, startSpeaking, decisions, answeredIds, newInput };
}

const viewer = (user: string, text: string, over: Partial<ChatMessage> = {}) => msg(text, { user, displayName: user, ...over });

describe('addressed queue: ranks', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('streamer > channel-point redemption > mods > viewers waiting > viewers answered in the last 2 minutes', () => {
    const t = setup();
    const first = viewer('ann', 'pickle hi');
    t.batch(first);
    t.startSpeaking();
    // While Pickle speaks, five speakers queue up, lowest rank first.
    const again = viewer('ann', 'pickle me again'); // answered a moment ago
    const waiting = viewer('bob', 'pickle what is this place');
    const mod = viewer('max', 'pickle tell them the rules', { role: 'moderator' });
    const paid = viewer('cat', 'what is your favourite food', { redemption: { id: 'red-1', rewardId: 'rw', rewardTitle: 'Ask Pickle' } });
    t.batch(again);
    t.batch(waiting);
    t.batch(mod);
    t.batch(paid);
    t.h.send({ type: 'speech.final', text: 'pickle, say hi to everyone', ts: 1 });
    expect(t.decisions().slice(1).map((d) => d.reason)).toEqual(Array(5).fill('pending-mention'));
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: false });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(BREATH_MS);
      t.speakAndFinish();
    }
    expect(t.llm.calls).toHaveLength(6);
    // The streamer's speech has no message id; every chat answer carries the message it answers.
    expect(t.answeredIds()).toEqual([first.id, undefined, paid.id, mod.id, waiting.id, again.id]);
    expect(t.llm.calls[1]!.input.messages[1]!.content).toContain('say hi to everyone');
    expect(t.h.of('reply.start')[2]!.prompt[1]!.content).toContain('redeemed channel points');
  });

  it('one slot per viewer: the latest message wins it and the earlier one is dropped as `replaced`', () => {
    const t = setup();
    t.batch(viewer('ann', 'pickle hi'));
    t.startSpeaking();
    const old = viewer('bob', 'pickle question one');
    const latest = viewer('bob', 'pickle actually question two');
    t.batch(old);
    t.batch(latest);
    expect(t.decisions().at(-2)).toMatchObject({ respond: false, reason: 'replaced', triggerId: old.id });
    expect(t.decisions().at(-1)).toMatchObject({ respond: true, reason: 'pending-mention', triggerId: latest.id });
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: false });
    vi.advanceTimersByTime(BREATH_MS);
    expect(t.answeredIds().at(-1)).toBe(latest.id);
    expect(t.newInput()).toContain('actually question two');
  });

  it('two mentions in one batch take two slots; the same login on another platform is another viewer', () => {
    const t = setup();
    t.batch(viewer('ann', 'pickle hi'));
    t.startSpeaking();
    const a = viewer('bob', 'pickle one');
    const b = viewer('bob', 'pickle two', { platform: 'youtube' });
    t.batch(a, b);
    expect(t.decisions().slice(1).map((d) => [d.reason, d.triggerId])).toEqual([
      ['pending-mention', a.id],
      ['pending-mention', b.id],
    ]);
  });

  it('at most 5 entries: a sixth viewer is turned away as `queue-full`; a mod takes the last one\'s place', () => {
    const t = setup();
    t.batch(viewer('host', 'pickle hi'));
    t.startSpeaking();
    const five = ['v1', 'v2', 'v3', 'v4', 'v5'].map((u) => viewer(u, `pickle I am ${u}`));
    for (const m of five) t.batch(m);
    const sixth = viewer('v6', 'pickle me too');
    t.batch(sixth);
    expect(t.decisions().at(-1)).toMatchObject({ respond: false, reason: 'queue-full', triggerId: sixth.id });
    const mod = viewer('mod', 'pickle mods first', { role: 'moderator' });
    t.batch(mod);
    // The last in line (latest among the lowest rank) gives way, with its own id for the event-sub settlement.
    expect(t.decisions().at(-2)).toMatchObject({ respond: false, reason: 'queue-full', triggerId: five[4]!.id });
    expect(t.decisions().at(-1)).toMatchObject({ respond: true, reason: 'pending-mention', triggerId: mod.id });
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: false });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(BREATH_MS);
      t.speakAndFinish();
    }
    expect(t.answeredIds().slice(1)).toEqual([mod.id, ...five.slice(0, 4).map((m) => m.id)]);
  });

  it(`an entry nobody got to in ${ENTRY_TTL_MS / 1000} s leaves as \`stale\`, with its message id`, () => {
    const t = setup();
    t.batch(viewer('ann', 'pickle tell a long story'));
    t.startSpeaking();
    const waiting = viewer('bob', 'pickle are you there');
    t.batch(waiting);
    vi.advanceTimersByTime(ENTRY_TTL_MS - 1);
    expect(t.decisions().some((d) => d.reason === 'stale')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(t.decisions().at(-1)).toMatchObject({ respond: false, reason: 'stale', triggerId: waiting.id, input: 'chat' });
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: false });
    vi.advanceTimersByTime(10_000);
    expect(t.llm.calls).toHaveLength(1);
    expect(t.state()).toBe('idle');
  });

  it('an answered entry does not expire later (its old timer finds nothing)', () => {
    const t = setup();
    t.batch(viewer('ann', 'pickle hi'));
    t.startSpeaking();
    t.batch(viewer('bob', 'pickle hello'));
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: false });
    vi.advanceTimersByTime(BREATH_MS);
    expect(t.llm.calls).toHaveLength(2);
    vi.advanceTimersByTime(ENTRY_TTL_MS);
    expect(t.decisions().some((d) => d.reason === 'stale')).toBe(false);
  });

  it('muting drops every waiting entry with `muted`; moderation drops a removed viewer\'s entry with `moderated`', () => {
    const t = setup();
    t.batch(viewer('ann', 'pickle hi'));
    t.startSpeaking();
    const troll = viewer('troll', 'pickle say something bad');
    const bob = viewer('bob', 'pickle hello');
    t.batch(troll);
    t.batch(bob);
    t.h.send({ type: 'chat.removed', platform: 'twitch', messageIds: [], users: ['twitch:troll'], all: false });
    expect(t.decisions().at(-1)).toMatchObject({ respond: false, reason: 'moderated', triggerId: troll.id });
    t.h.send({ type: 'brain.mute' });
    expect(t.decisions().at(-1)).toMatchObject({ respond: false, reason: 'muted', triggerId: bob.id });
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: true });
    vi.advanceTimersByTime(10_000);
    expect(t.llm.calls).toHaveLength(1);
  });
});

describe('addressed queue: timing', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it(`a mention is answered ${BREATH_MS} ms after the reply's audio ends (a breath ≤ 300 ms), not after the cooldown`, () => {
    expect(BREATH_MS).toBeLessThanOrEqual(300);
    const t = setup({ cooldownSec: 5 });
    t.batch(viewer('ann', 'pickle hi'));
    t.startSpeaking();
    t.batch(viewer('bob', 'pickle how far is the beach?'));
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Talking now.', interrupted: false });
    expect(t.state()).toBe('cooldown');
    vi.advanceTimersByTime(BREATH_MS - 1);
    expect(t.llm.calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.state()).toBe('thinking');
    expect(t.newInput()).toContain('how far is the beach?');
  });

  it('a mention arriving after the breath, still in the cooldown, is answered at once', () => {
    const t = setup({ cooldownSec: 5 });
    t.batch(viewer('ann', 'pickle hi'));
    t.speakAndFinish();
    vi.advanceTimersByTime(1000);
    expect(t.state()).toBe('cooldown');
    t.batch(viewer('bob', 'pickle you there?'));
    expect(t.state()).toBe('thinking');
  });

  it('the cooldown still holds back unaddressed replies (questions, spontaneous, camera)', () => {
    const t = setup({ cooldownSec: 5 });
    t.batch(viewer('ann', 'pickle hi'));
    t.speakAndFinish();
    t.batch(viewer('bob', 'anyone know the time?'));
    expect(t.decisions().at(-1)).toMatchObject({ respond: false, reason: 'cooldown' });
    vi.advanceTimersByTime(5000);
    expect(t.llm.calls).toHaveLength(1);
  });
});

describe('addressed queue: a higher rank replaces a reply still being prepared', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a mention replaces an unaddressed reply before any audio: cut, reply.failed `replaced`, the mention starts', () => {
    const t = setup();
    const question = viewer('ann', 'is it raining there?');
    t.batch(question);
    expect(t.state()).toBe('thinking');
    const first = t.llm.last();
    first.emit({ type: 'llm.sentence', text: 'Looks dry.' });
    const mention = viewer('bob', 'pickle what song is this');
    t.batch(mention);
    expect(first.aborted).toBe(true);
    expect(t.h.of('voice.skip')).toHaveLength(1);
    expect(t.h.of('reply.failed')[0]).toMatchObject({ replyId: 'r1', reason: 'replaced' });
    expect(t.decisions().at(-1)).toMatchObject({ respond: false, reason: 'replaced', triggerId: question.id });
    expect(t.state()).toBe('thinking');
    expect(t.answeredIds()).toEqual([question.id, mention.id]);
    expect(t.newInput()).toContain('what song is this');
  });

  it('the streamer replaces a viewer\'s reply being prepared; the viewer goes back in line and is answered next', () => {
    const t = setup();
    const bob = viewer('bob', 'pickle hello');
    t.batch(bob);
    t.h.send({ type: 'speech.final', text: 'pickle, what time is it?', ts: 5 });
    expect(t.h.of('reply.failed')[0]).toMatchObject({ reason: 'replaced' });
    expect(t.newInput()).toContain('what time is it?');
    t.speakAndFinish();
    vi.advanceTimersByTime(BREATH_MS);
    expect(t.answeredIds()).toEqual([bob.id, undefined, bob.id]);
  });

  it('an equal or lower rank waits; once audio has started nothing is replaced', () => {
    const t = setup();
    t.batch(viewer('ann', 'pickle hi'));
    t.batch(viewer('bob', 'pickle hello'));
    expect(t.h.of('reply.failed')).toHaveLength(0);
    t.startSpeaking();
    t.h.send({ type: 'speech.final', text: 'pickle, wait', ts: 5 });
    expect(t.h.of('reply.failed')).toHaveLength(0);
    expect(t.state()).toBe('speaking');
  });
});
