import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { redemptionsMachine, type RedemptionSettle } from '../../machines/redemptions.ts';
import type { Decision } from '../../machines/events.ts';
import { msg } from './fixtures.ts';

function start() {
  const actor = createActor(redemptionsMachine, { input: { answerTimeoutMs: 120_000 } });
  const settled: RedemptionSettle[] = [];
  actor.on('redemption.settle', (e) => settled.push(e));
  actor.start();
  return { actor, settled };
}

const redeemed = (id: string) => msg('what is your favourite food', { id: `msg-${id}`, redemption: { id, rewardId: 'reward-1', rewardTitle: 'Ask Pickle' } });
const decision = (over: Partial<Decision>): Decision => ({ input: 'chat', respond: false, reason: 'muted', summary: '', ts: 0, ...over });

describe('redemption settling machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('FULFILLED once the reply that answers it is spoken', () => {
    const { actor, settled } = start();
    actor.send({ type: 'chat.message', message: redeemed('r1') });
    actor.send({ type: 'reply.start', replyId: 'other', prompt: [], triggerId: 'msg-x' });
    actor.send({ type: 'reply.spoken', replyId: 'other', text: 'hi', emotion: 'neutral', ts: 1 });
    expect(settled).toEqual([]);
    actor.send({ type: 'reply.start', replyId: 'rep1', prompt: [], triggerId: 'msg-r1' });
    actor.send({ type: 'reply.spoken', replyId: 'rep1', text: 'pickles', emotion: 'happy', ts: 2 });
    expect(settled).toEqual([{ type: 'redemption.settle', redemptionId: 'r1', rewardId: 'reward-1', status: 'FULFILLED', why: 'spoken' }]);
    // Settled once: the timeout does not refund it later.
    vi.advanceTimersByTime(300_000);
    expect(settled).toHaveLength(1);
    expect(Object.keys(actor.getSnapshot().context.open)).toEqual([]);
  });

  it('CANCELED when the answer was blocked', () => {
    const { actor, settled } = start();
    actor.send({ type: 'chat.message', message: redeemed('r2') });
    actor.send({ type: 'reply.start', replyId: 'rep2', prompt: [], triggerId: 'msg-r2' });
    actor.send({ type: 'reply.failed', replyId: 'rep2', reason: 'blocked', detail: 'blocklist' });
    expect(settled).toEqual([{ type: 'redemption.settle', redemptionId: 'r2', rewardId: 'reward-1', status: 'CANCELED', why: 'failed' }]);
  });

  it('CANCELED when the brain decided not to answer it (muted, stale, …)', () => {
    const { actor, settled } = start();
    actor.send({ type: 'chat.message', message: redeemed('r3') });
    actor.send({ type: 'brain.decision', decision: decision({ triggerId: 'msg-other' }) });
    actor.send({ type: 'brain.decision', decision: decision({ respond: true, reason: 'mention', triggerId: 'msg-r3' }) });
    expect(settled).toEqual([]);
    actor.send({ type: 'brain.decision', decision: decision({ triggerId: 'msg-r3' }) });
    expect(settled).toMatchObject([{ redemptionId: 'r3', status: 'CANCELED', why: 'not-answered' }]);
  });

  it('CANCELED when nothing answered it in 120 s; an answer under way is waited for', () => {
    const { actor, settled } = start();
    actor.send({ type: 'chat.message', message: redeemed('r4') });
    actor.send({ type: 'chat.message', message: redeemed('r5') });
    vi.advanceTimersByTime(60_000);
    actor.send({ type: 'reply.start', replyId: 'rep5', prompt: [], triggerId: 'msg-r5' });
    vi.advanceTimersByTime(59_999);
    expect(settled).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(settled).toMatchObject([{ redemptionId: 'r4', status: 'CANCELED', why: 'timeout' }]);
    vi.advanceTimersByTime(200_000);
    actor.send({ type: 'reply.spoken', replyId: 'rep5', text: 'ok', emotion: 'neutral', ts: 3 });
    expect(settled).toMatchObject([{ redemptionId: 'r4' }, { redemptionId: 'r5', status: 'FULFILLED' }]);
  });

  it('ignores plain chat and the same redemption twice', () => {
    const { actor, settled } = start();
    actor.send({ type: 'chat.message', message: msg('hello') });
    actor.send({ type: 'chat.message', message: redeemed('r6') });
    actor.send({ type: 'chat.message', message: redeemed('r6') });
    vi.advanceTimersByTime(120_000);
    expect(settled).toHaveLength(1);
  });
});

describe('which reward Pickle answers', () => {
  it('matches the title whatever the case and spacing, and nothing else', async () => {
    const { isAnsweredReward } = await import('../../machines/redemptions.ts');
    expect(isAnsweredReward('ask  PICKLE ', 'Ask Pickle')).toBe(true);
    expect(isAnsweredReward('Ask Pickle!', 'Ask Pickle')).toBe(false);
    expect(isAnsweredReward('Hydrate', 'Ask Pickle')).toBe(false);
  });
});
