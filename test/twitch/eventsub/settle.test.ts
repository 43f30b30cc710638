import { afterEach, describe, expect, it } from 'vitest';
import type { EventFeed } from '../../../src/twitch/eventsub/feed.ts';
import { BROADCASTER, CLIENT_ID, redemptionEvent, startFeed, startWorld, until, type World } from './harness.ts';

const REDEEM = 'channel.channel_points_custom_reward_redemption.add';
let world: World | undefined;
const feeds: EventFeed[] = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  await world?.close();
  world = undefined;
});

async function live() {
  world = await startWorld();
  world.es.rewards.push({ id: 'ours', title: 'Ask Pickle', cost: 100, broadcasterId: BROADCASTER.id, clientId: CLIENT_ID });
  world.es.rewards.push({ id: 'dashboard', title: 'Ask Pickle', cost: 100, broadcasterId: BROADCASTER.id, clientId: 'twitch-dashboard' });
  const h = startFeed(world);
  feeds.push(h.feed);
  await h.feed.start();
  await until(() => h.twitchEvents()?.state === 'up', 'up');
  return { w: world, ...h };
}

/** A redemption arrives at Pickle; returns its chat message id. */
async function redeem(h: Awaited<ReturnType<typeof live>>, id: string, rewardId = 'ours') {
  h.w.es.addRedemption({ id, rewardId, broadcasterId: BROADCASTER.id, status: 'UNFULFILLED' });
  const before = h.of('chat.message').length;
  h.w.es.notify(REDEEM, redemptionEvent(id, { rewardId }));
  await until(() => h.of('chat.message').length > before, `redemption ${id}`);
  const message = h.of('chat.message').at(-1)!.message;
  // In Pickle the orchestrator routes the line to the redemptions machine too.
  h.route({ type: 'chat.message', message });
  return message.id;
}

describe('settling redemptions at the stand-in', () => {
  it('FULFILLED once the answer is spoken', async () => {
    const h = await live();
    const id = await redeem(h, 'red-ok');
    h.route({ type: 'reply.start', replyId: 'rep-1', prompt: [], triggerId: id });
    h.route({ type: 'reply.spoken', replyId: 'rep-1', text: 'They dream of brine.', emotion: 'happy', ts: 1 });
    await until(() => h.w.es.redemptions.get('red-ok')?.status === 'FULFILLED', 'FULFILLED at Twitch');
  });

  it('a blocked answer refunds: CANCELED', async () => {
    const h = await live();
    const id = await redeem(h, 'red-blocked');
    h.route({ type: 'reply.start', replyId: 'rep-2', prompt: [], triggerId: id });
    h.route({ type: 'reply.failed', replyId: 'rep-2', reason: 'blocked', detail: 'the reply hit the blocklist' });
    await until(() => h.w.es.redemptions.get('red-blocked')?.status === 'CANCELED', 'CANCELED at Twitch');
  });

  it('a reward created by another client id: left as it is, logged once', async () => {
    const h = await live();
    for (const r of ['f1', 'f2', 'f3']) {
      const id = await redeem(h, r, 'dashboard');
      h.route({ type: 'brain.decision', decision: { input: 'chat', respond: false, reason: 'muted', summary: '', triggerId: id, ts: 0 } });
    }
    await until(() => h.w.es.requests.filter((r) => r.method === 'PATCH' && r.status === 403).length === 3, 'three refused updates');
    expect(['f1', 'f2', 'f3'].map((r) => h.w.es.redemptions.get(r)?.status)).toEqual(['UNFULFILLED', 'UNFULFILLED', 'UNFULFILLED']);
    const lines = h.logLines.filter((l) => l.includes('create-reward'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('broadcastertoken');
  });
});
