import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatMachine } from '../../machines/chat.ts';
import { gateChat } from '../../machines/brain/gating.ts';
import { harness } from './harness.ts';
import { msg, persona } from './fixtures.ts';

const input = { persona, botLogin: 'picklebot_tv', ignoreBots: [] };
const redemption = { id: 'red-1', rewardId: 'rw', rewardTitle: 'Ask Pickle' };

describe('channel-point questions in chat and gating', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a redemption flushes at once, even when it starts with "!" or repeats a line', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('what is the weather') });
    h.send({ type: 'chat.message', message: msg('what is the weather', { id: 'red-msg-1', redemption }) });
    h.send({ type: 'chat.message', message: msg('!skip the small talk', { id: 'red-msg-2', redemption: { ...redemption, id: 'red-2' } }) });
    const batches = h.of('chat.batch');
    expect(batches.map((b) => b.flush)).toEqual(['mention', 'mention']);
    expect(batches[0]!.messages.map((m: { id: string }) => m.id)).toContain('red-msg-1');
    expect(batches[1]!.messages.map((m: { text: string }) => m.text)).toEqual(['!skip the small talk']);
    expect(h.of('chat.command')).toEqual([]);
    expect(h.of('chat.ignored')).toEqual([]);
  });

  it('the same "!" line without a redemption is still a command check', () => {
    const h = harness(chatMachine, input);
    h.send({ type: 'chat.message', message: msg('!skip the small talk') });
    expect(h.of('chat.ignored').map((e) => e.reason)).toEqual(['not-mod']);
  });

  it('gating treats a redemption as addressed, and it is the trigger', () => {
    const q = msg('tell me a joke', { id: 'red-msg', redemption });
    const gate = gateChat([q, msg('random chatter')], persona, 0.99);
    expect(gate).toMatchObject({ respond: true, reason: 'mention' });
    expect(gate.trigger?.id).toBe('red-msg');
    expect(gateChat([msg('tell me a joke')], persona, 0.99).respond).toBe(false);
  });
});
