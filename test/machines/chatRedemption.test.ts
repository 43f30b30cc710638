import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatMachine } from '../../machines/chat.ts';
import { harness } from './harness.ts';
import { msg, persona } from './fixtures.ts';

describe('chat: a channel-point question', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('flushes the batch at once like a mention (it is addressed to Pickle)', () => {
    const h = harness(chatMachine, { persona, ignoreBots: [] });
    h.send({ type: 'chat.message', message: msg('nice view') });
    expect(h.of('chat.batch')).toHaveLength(0);
    h.send({ type: 'chat.message', message: msg('what is your favourite food', { redemption: { id: 'red-1', rewardId: 'rw', rewardTitle: 'Ask Pickle' } }) });
    expect(h.of('chat.batch')).toHaveLength(1);
    expect(h.of('chat.batch')[0]).toMatchObject({ flush: 'mention' });
    expect(h.of('chat.batch')[0]!.messages).toHaveLength(2);
  });
});
