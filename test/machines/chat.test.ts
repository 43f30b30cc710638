import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatMachine, parseCommand } from '../../machines/chat.ts';
import { harness } from './harness.ts';
import { msg, persona } from './fixtures.ts';

const input = { persona, botLogin: 'picklebot_tv', ignoreBots: ['nightbot', 'streamelements'] };

describe('chat machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('batches up to chat_batch_size messages at once', () => {
    const h = harness(chatMachine, input);
    for (let i = 0; i < 10; i++) h.send({ type: 'chat.message', message: msg(`hello number ${i}`, { user: `u${i}` }) });
    const batches = h.of('chat.batch');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.messages).toHaveLength(10);
    expect(batches[0]!.flush).toBe('size');
  });

  it('flushes what it has after 2 s, timed from the first message of the batch', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('first') });
    vi.advanceTimersByTime(1500);
    h.send({ type: 'chat.message', message: msg('second') });
    vi.advanceTimersByTime(499);
    expect(h.of('chat.batch')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    const [batch] = h.of('chat.batch');
    expect(batch!.messages.map((m: { text: string }) => m.text)).toEqual(['first', 'second']);
    expect(batch!.flush).toBe('timer');
    vi.advanceTimersByTime(10_000);
    expect(h.of('chat.batch')).toHaveLength(1);
  });

  it.each([
    ['hey Pickle', true],
    ['@pickle what is up', true],
    ['PICKLE!!', true],
    ['picklebot you there', true],
    ['I love pickleball', false],
    ['pickles are green', false],
  ])('a mention flushes at once: %s -> %s', (text, flushed) => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('earlier line') });
    h.send({ type: 'chat.message', message: msg(text) });
    expect(h.of('chat.batch').length).toBe(flushed ? 1 : 0);
    if (flushed) expect(h.of('chat.batch')[0]!.flush).toBe('mention');
  });

  it('drops its own lines and known bots, and says so', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('I am Pickle', { user: 'picklebot_tv' }) });
    h.send({ type: 'chat.message', message: msg('Follow on twitter!', { user: 'nightbot' }) });
    vi.advanceTimersByTime(3000);
    expect(h.of('chat.batch')).toHaveLength(0);
    expect(h.of('chat.ignored').map((e) => e.reason)).toEqual(['self', 'bot']);
  });

  it('collapses duplicate spam into one line with a count', () => {
    const h = harness(chatMachine, input);
    for (let i = 0; i < 5; i++) h.send({ type: 'chat.message', message: msg(i % 2 ? 'LUL' : 'lul  ', { user: `u${i}` }) });
    h.send({ type: 'chat.message', message: msg('nice shot') });
    vi.advanceTimersByTime(2000);
    const [batch] = h.of('chat.batch');
    expect(batch!.messages).toHaveLength(2);
    expect(batch!.messages[0]!.repeats).toBe(5);
    expect(h.of('chat.ignored').filter((e) => e.reason === 'duplicate')).toHaveLength(4);
  });

  it.each([
    ['!skip', 'moderator', 'skip'],
    ['!mute', 'broadcaster', 'mute'],
    ['!unmute', 'moderator', 'unmute'],
    ['!persona pirate', 'moderator', 'persona'],
    ['!forgetme', 'viewer', 'forgetme'],
  ] as const)('%s from a %s is a command', (text, role, command) => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg(text, { role }) });
    expect(h.of('chat.command').map((e) => e.command)).toEqual([command]);
    vi.advanceTimersByTime(3000);
    expect(h.of('chat.batch')).toHaveLength(0);
  });

  it.each(['!skip', '!mute', '!persona evil'])('%s from a viewer is ignored and reported', (text) => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg(text, { role: 'viewer' }) });
    expect(h.of('chat.command')).toHaveLength(0);
    expect(h.of('chat.ignored').map((e) => e.reason)).toEqual(['not-mod']);
  });

  it('other bots\' commands are not inputs', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('!uptime') });
    vi.advanceTimersByTime(3000);
    expect(h.of('chat.batch')).toHaveLength(0);
    expect(h.of('chat.ignored').map((e) => e.reason)).toEqual(['unknown-command']);
  });

  it('a message deleted by a mod leaves the pending batch and is passed on', () => {
    const h = harness(chatMachine, input);
    const bad = msg('something awful');
    h.send({ type: 'chat.message', message: msg('fine line') });
    h.send({ type: 'chat.message', message: bad });
    h.send({ type: 'chat.deleted', platform: 'twitch', messageId: bad.id });
    vi.advanceTimersByTime(2000);
    expect(h.of('chat.batch')[0]!.messages.map((m: { text: string }) => m.text)).toEqual(['fine line']);
    expect(h.of('chat.removed')[0]).toMatchObject({ messageIds: [bad.id], all: false });
  });

  it('a timed-out user leaves the batch; the batch empties without a flush when nothing is left', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('spam spam', { user: 'troll' }) });
    h.send({ type: 'chat.cleared', platform: 'twitch', user: 'troll', durationSec: 600 });
    vi.advanceTimersByTime(5000);
    expect(h.of('chat.batch')).toHaveLength(0);
    expect(h.of('chat.removed')[0]).toMatchObject({ platform: 'twitch', users: ['twitch:troll'], all: false });
    expect(h.snapshot().value).toBe('idle');
  });

  it('stream events pass straight through', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'stream.event', event: { platform: 'twitch', kind: 'raid', id: 'e1', user: 'big', displayName: 'Big', ts: 1, amount: 50 } });
    expect(h.of('chat.event')).toHaveLength(1);
  });

  it('parses commands', () => {
    expect(parseCommand('!Persona  Pirate ')).toEqual({ command: 'persona', args: ['Pirate'] });
    expect(parseCommand('hello !skip')).toBeUndefined();
  });
});
