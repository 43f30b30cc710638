import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brainMachine } from '../../machines/brain.ts';
import { chatMachine } from '../../machines/chat.ts';
import { removalOf } from '../../machines/memory/rules.ts';
import type { ChatMessage } from '../../machines/events.ts';
import { harness } from './harness.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';

/** A viewer is `platform:login`: removals on one platform never touch a same-named viewer on another. */
const alice = (platform: ChatMessage['platform'], text: string) => msg(text, { platform, user: 'alice', displayName: 'alice' });

function brain(over: Partial<typeof persona> = {}) {
  const llm = fakeLlm();
  const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic } }), { persona: { ...persona, cooldownSec: 0, ...over }, blocklist: [], random: () => 0.99 });
  const batch = (...messages: ChatMessage[]) => h.send({ type: 'chat.batch', messages, flush: 'mention' });
  const speak = (text: string) => {
    const replyId = llm.last().input.replyId;
    llm.reply([text]);
    h.send({ type: 'voice.sentenceStarted', replyId, index: 0, text: text, first: true });
    h.send({ type: 'voice.done', replyId, spokenText: text, interrupted: false });
  };
  return { h, llm, batch, speak, decisions: () => h.of('brain.decision').map((e) => e.decision) };
}

describe('viewers per platform', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('chat: a Kick ban of alice takes Kick alice\'s pending lines and names kick:alice; Twitch alice stays', () => {
    const h = harness(chatMachine, { persona, ignoreBots: [] });
    const onTwitch = alice('twitch', 'hello from twitch');
    h.send({ type: 'chat.message', message: onTwitch });
    h.send({ type: 'chat.message', message: alice('kick', 'hello from kick') });
    h.send({ type: 'chat.cleared', platform: 'kick', user: 'Alice' });
    vi.advanceTimersByTime(2000);
    expect(h.of('chat.batch')[0]!.messages).toEqual([onTwitch]);
    expect(h.of('chat.removed')[0]).toEqual({ type: 'chat.removed', platform: 'kick', messageIds: [], users: ['kick:alice'], all: false, banned: ['kick:alice'] });
  });

  it('chat: the bot\'s Twitch login is only the bot on Twitch', () => {
    const h = harness(chatMachine, { persona, botLogin: 'picklebot_tv', ignoreBots: [] });
    h.send({ type: 'chat.message', message: msg('from the bot', { platform: 'twitch', user: 'picklebot_tv' }) });
    h.send({ type: 'chat.message', message: msg('a kick viewer of that name', { platform: 'kick', user: 'picklebot_tv' }) });
    vi.advanceTimersByTime(2000);
    expect(h.of('chat.ignored').map((e) => e.reason)).toEqual(['self']);
    expect(h.of('chat.batch')[0]!.messages.map((m: ChatMessage) => m.platform)).toEqual(['kick']);
  });

  it('chat: a message deleted on one platform leaves a line with the same id on another', () => {
    const h = harness(chatMachine, { persona, ignoreBots: [] });
    const twitchLine = msg('same id here', { platform: 'twitch', id: 'x1' });
    h.send({ type: 'chat.message', message: twitchLine });
    h.send({ type: 'chat.message', message: msg('other line', { platform: 'youtube', id: 'x1' }) });
    h.send({ type: 'chat.deleted', platform: 'youtube', messageId: 'x1' });
    vi.advanceTimersByTime(2000);
    expect(h.of('chat.batch')[0]!.messages).toEqual([twitchLine]);
  });

  it('chat: clearing one platform\'s chat leaves the others\' pending lines', () => {
    const h = harness(chatMachine, { persona, ignoreBots: [] });
    const kept = alice('youtube', 'still here');
    h.send({ type: 'chat.message', message: alice('twitch', 'gone soon') });
    h.send({ type: 'chat.message', message: kept });
    h.send({ type: 'chat.cleared', platform: 'twitch' });
    vi.advanceTimersByTime(2000);
    expect(h.of('chat.batch')[0]!.messages).toEqual([kept]);
  });

  it('brain: a Kick ban of alice neither cancels Twitch alice\'s reply nor drops her queued mention', () => {
    const t = brain();
    t.batch(alice('twitch', 'pickle what is up'));
    t.batch(alice('youtube', 'pickle and me?'));
    t.h.send({ type: 'chat.removed', platform: 'kick', messageIds: [], users: ['kick:alice'], all: false, banned: ['kick:alice'] });
    expect(t.llm.last().aborted).toBe(false);
    expect(t.decisions().some((d) => d.reason === 'moderated')).toBe(false);
    t.h.send({ type: 'chat.removed', platform: 'twitch', messageIds: [], users: ['twitch:alice'], all: false, banned: ['twitch:alice'] });
    expect(t.llm.calls[0]!.aborted).toBe(true);
    // YouTube alice's mention is answered next.
    vi.advanceTimersByTime(1000);
    expect(t.llm.calls).toHaveLength(2);
    expect(t.llm.last().input.messages[1]!.content.split('New input')[1]).toContain('pickle and me?');
  });

  it('memory: a ban deletes the banned viewer\'s lines by platform:login, never by bare login', () => {
    expect(removalOf({ type: 'chat.removed', platform: 'kick', messageIds: [], users: ['kick:alice'], all: false, banned: ['kick:alice'] })).toEqual({ op: 'delete', speakers: ['kick:alice'] });
  });

  it('chat.say names the platform and the message it answers; a remark of Pickle\'s own posts nowhere', () => {
    const t = brain({ replyInChat: true, idleAfterSec: 30 });
    const ask = alice('kick', 'pickle hi from kick');
    t.batch(ask);
    t.speak('Hi Kick alice.');
    expect(t.h.of('chat.say')).toEqual([{ type: 'chat.say', replyId: t.llm.last().input.replyId, text: 'Hi Kick alice.', platform: 'kick', inReplyTo: ask.id }]);
    vi.advanceTimersByTime(31_000);
    const says = () => t.h.of('chat.say');
    if (t.llm.calls.length > 1) t.speak('Quiet out here, huh.');
    expect(t.llm.calls.length).toBe(2);
    expect(says()).toHaveLength(1);
  });

  it('chat.say: off when replies in chat are off', () => {
    const t = brain({ replyInChat: false });
    t.batch(alice('youtube', 'pickle hello'));
    t.speak('Hello.');
    expect(t.h.of('chat.say')).toHaveLength(0);
  });
});
