import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Env } from '../config/env.ts';
import { BroadcasterToken, BroadcasterTokenError } from '../twitch/eventsub/broadcasterToken.ts';
import { createHelix, HelixError } from '../twitch/eventsub/helix.ts';
import { errorText } from '../errors.ts';

/**
 * Creates the channel-point reward Pickle answers, with the broadcaster's token under
 * TWITCH_CLIENT_ID: Twitch lets only the app that created a reward set its redemptions to
 * FULFILLED or CANCELED, so a reward made in the Twitch dashboard cannot be refunded by Pickle.
 * Returns what it did as one line; throws `RewardToolError` with one clear line otherwise.
 */

export class RewardToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RewardToolError';
  }
}

export async function createRewardWithEnv(p: { env: Env; title: string; cost: number; fetch?: typeof fetch }): Promise<string> {
  const { env } = p;
  if (!env.TWITCH_CLIENT_ID) throw new RewardToolError('TWITCH_CLIENT_ID is not set: set it to your Twitch app\'s client id in .env');
  if (!env.TWITCH_BROADCASTER_TOKEN) throw new RewardToolError('TWITCH_BROADCASTER_TOKEN is not set: put the broadcaster\'s token (scope channel:manage:redemptions) in .env');
  const dataDir = resolve(env.PICKLE_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const token = new BroadcasterToken({
    dataDir,
    authUrl: env.TWITCH_AUTH_URL!,
    clientId: env.TWITCH_CLIENT_ID,
    envToken: env.TWITCH_BROADCASTER_TOKEN,
    ...(env.TWITCH_CLIENT_SECRET ? { clientSecret: env.TWITCH_CLIENT_SECRET } : {}),
    ...(env.TWITCH_BROADCASTER_REFRESH_TOKEN ? { envRefreshToken: env.TWITCH_BROADCASTER_REFRESH_TOKEN } : {}),
    ...(p.fetch ? { fetch: p.fetch } : {}),
  });
  try {
    const info = await token.validate();
    if (!info.scopes.includes('channel:manage:redemptions')) {
      throw new RewardToolError('TWITCH_BROADCASTER_TOKEN lacks the scope channel:manage:redemptions: authorise again with it');
    }
    const helix = createHelix({ apiUrl: env.TWITCH_API_URL!, clientId: env.TWITCH_CLIENT_ID, token: () => token.token, ...(p.fetch ? { fetch: p.fetch } : {}) });
    const [me] = await helix.users();
    if (!me) throw new RewardToolError('Twitch returned no user for TWITCH_BROADCASTER_TOKEN');
    const reward = await helix.createReward({ broadcasterId: me.id, title: p.title, cost: p.cost, prompt: 'Ask the co-host a question; it answers on stream.' });
    return `Created the reward "${reward.title}" (${reward.cost} points, id ${reward.id}) on ${me.login}'s channel under client id ${env.TWITCH_CLIENT_ID}. Pickle answers its redemptions and refunds the ones it cannot answer.`;
  } catch (err) {
    if (err instanceof RewardToolError) throw err;
    if (err instanceof BroadcasterTokenError) throw new RewardToolError(`${err.message}: ${err.fix}`);
    if (err instanceof HelixError) {
      if (err.status === 400 && /DUPLICATE/i.test(err.message)) {
        throw new RewardToolError(`a reward titled "${p.title}" already exists on the channel: delete it in the Twitch dashboard (Pickle cannot settle rewards it did not create) or set another behavior.reward_title`);
      }
      if (err.status === 403) throw new RewardToolError(`Twitch refused to create the reward (${err.message}): channel points need an Affiliate or Partner channel and the scope channel:manage:redemptions`);
      if (err.status === 401) throw new RewardToolError('Twitch refused TWITCH_BROADCASTER_TOKEN or TWITCH_CLIENT_ID: the token must be issued to that client id');
      throw new RewardToolError(err.message);
    }
    throw new RewardToolError(errorText(err));
  }
}
