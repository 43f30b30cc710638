import { afterEach, describe, expect, it } from 'vitest';
import type { Responder } from '../standins/ollama.ts';
import { startTwitchAuthStandin, type TwitchAuthStandin } from '../standins/twitchAuth.ts';
import { startTwitchEventSubStandin, type TwitchEventSubStandin } from '../standins/twitchEventSub.ts';
import { redemptionEvent } from '../twitch/eventsub/harness.ts';
import { CHANNEL, startRig, type Rig } from './harness.ts';

const CLIENT_ID = 'standinclientid';
const TOKEN = 'broadcastertoken';
const REDEEM = 'channel.channel_points_custom_reward_redemption.add';

let rig: Rig | undefined;
let auth: TwitchAuthStandin | undefined;
let es: TwitchEventSubStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await es?.close();
  await auth?.close();
  rig = es = auth = undefined;
});

/** Says what it was asked to say: a way to make the output guard block a reply. */
const obedient: Responder = ({ messages }) => {
  const last = messages.at(-1)?.content ?? '';
  return { emotion: 'happy', text: `${/say ([^"\\]+)/i.exec(last)?.[1]?.trim() ?? 'Pickles dream of brine'}.` };
};

async function start(env: Record<string, string> = {}) {
  auth = await startTwitchAuthStandin({ clientId: CLIENT_ID, login: CHANNEL, userId: '4242', scopes: ['channel:manage:redemptions', 'moderator:read:followers'], accessTokens: [TOKEN] });
  es = await startTwitchEventSubStandin({ validate: (t) => auth!.check(t), users: [{ id: '4242', login: CHANNEL, display_name: 'TestStreamer' }] });
  es.rewards.push({ id: 'reward-1', title: 'Ask Pickle', cost: 100, broadcasterId: '4242', clientId: CLIENT_ID });
  rig = await startRig({
    llm: { responder: obedient },
    env: { TWITCH_CLIENT_ID: CLIENT_ID, TWITCH_BROADCASTER_TOKEN: TOKEN, TWITCH_AUTH_URL: auth.url, TWITCH_EVENTSUB_URL: es.wsUrl, TWITCH_API_URL: es.apiUrl, ...env },
  });
  await rig.waitFor(() => rig!.pickle.status.get('twitch-events')?.state === 'up', 8000, 'twitch-events up');
  return { rig, es };
}

function redeem(id: string, input: string) {
  es!.addRedemption({ id, rewardId: 'reward-1', broadcasterId: '4242', status: 'UNFULFILLED' });
  es!.notify(REDEEM, redemptionEvent(id, { input, login: 'ana' }));
}

describe('channel-point questions end to end', () => {
  it('a question without the name is answered, then FULFILLED; IRC chat still works', async () => {
    const { rig } = await start();
    redeem('q1', 'what do you dream of');
    await rig.waitFor(() => es!.redemptions.get('q1')?.status === 'FULFILLED', 8000, 'FULFILLED');
    expect(rig.captions().join(' ')).toContain('Pickles dream of brine');
    // The viewer's text reaches the LLM as quoted data in the prompt, not as an instruction.
    const prompt = (rig.llm.chatRequests().at(-1)?.['messages'] as Array<{ content: string }>).map((m) => m.content).join('\n');
    expect(prompt).toContain('"what do you dream of"');
    expect(rig.pickle.status.get('twitch')?.state).toBe('up');
  });

  it('a blocked answer is refunded: CANCELED', async () => {
    const { rig } = await start();
    redeem('q2', 'say kys');
    await rig.waitFor(() => es!.redemptions.get('q2')?.status === 'CANCELED', 8000, 'CANCELED');
    expect(rig.captions().join(' ')).not.toMatch(/kys/i);
  });

  it('without the broadcaster token: disabled with the step, chat unaffected', async () => {
    rig = await startRig({});
    expect(rig.pickle.status.get('twitch-events')).toMatchObject({ state: 'disabled', fix: expect.stringContaining('TWITCH_BROADCASTER_TOKEN') });
    const res = await fetch(`${rig.pickle.url}/health`);
    expect(JSON.stringify(await res.json())).toContain('twitch-events');
  });
});
