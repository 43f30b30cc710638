import { standaloneChildren } from '../../../src/children.ts';
import type { RedemptionsEvent } from '../../../machines/redemptions.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { PickleEvent } from '../../../machines/events.ts';
import { createLogger } from '../../../src/log.ts';
import { StatusBoard } from '../../../src/status.ts';
import { createEventFeed, type EventFeed, type EventFeedOptions } from '../../../src/twitch/eventsub/feed.ts';
import { startTwitchAuthStandin, type TwitchAuthStandin, type TwitchAuthStandinOptions } from '../../standins/twitchAuth.ts';
import { startTwitchEventSubStandin, type TwitchEventSubStandin } from '../../standins/twitchEventSub.ts';

export const CLIENT_ID = 'standinclientid';
export const TOKEN = 'broadcastertoken';
export const BROADCASTER = { id: '4242', login: 'streamer', display_name: 'Streamer' };
export const ALL_SCOPES = ['channel:manage:redemptions', 'moderator:read:followers'];

export async function until(pred: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface World {
  auth: TwitchAuthStandin;
  es: TwitchEventSubStandin;
  close(): Promise<void>;
}

export async function startWorld(o: { auth?: TwitchAuthStandinOptions; keepaliveSec?: number } = {}): Promise<World> {
  const auth = await startTwitchAuthStandin({ userId: BROADCASTER.id, login: BROADCASTER.login, scopes: ALL_SCOPES, accessTokens: [TOKEN], clientId: CLIENT_ID, ...o.auth });
  const es = await startTwitchEventSubStandin({ validate: (t) => auth.check(t), users: [BROADCASTER], unusedCloseMs: 10_000, ...(o.keepaliveSec ? { keepaliveSec: o.keepaliveSec } : {}) });
  return {
    auth,
    es,
    async close() {
      await es.close();
      await auth.close();
    },
  };
}

export function startFeed(w: World, over: Partial<EventFeedOptions> = {}) {
  const events: PickleEvent[] = [];
  const logLines: string[] = [];
  const status = new StatusBoard();
  // The feed's machines on their own; what they send up lands with the feed's inputs.
  const children = standaloneChildren((e) => events.push(e));
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const feed: EventFeed = createEventFeed({
    eventsubUrl: w.es.wsUrl,
    apiUrl: w.es.apiUrl,
    authUrl: w.auth.url,
    clientId: CLIENT_ID,
    clientSecret: 'standinclientsecret',
    token: TOKEN,
    dataDir: mkdtempSync(join(tmpdir(), 'pickle-eventsub-')),
    channel: BROADCASTER.login,
    status,
    log: createLogger({ level: 'debug', destination: sink }),
    send: (e) => events.push(e),
    rewardTitle: () => 'Ask Pickle',
    backoff: { baseMs: 50, maxMs: 200 },
    random: () => 0.5,
    followWindowMs: 300,
    children,
    ...over,
  });
  /** What the orchestrator routes to the redemptions machine in Pickle. */
  const route = (e: RedemptionsEvent) => children.start({ src: 'redemptions', systemId: 'redemptions', input: {} }).send(e);
  const of = <T extends PickleEvent['type']>(type: T) => events.filter((e): e is Extract<PickleEvent, { type: T }> => e.type === type);
  const twitchEvents = () => status.get('twitch-events');
  return { feed, events, logLines, status, of, twitchEvents, route };
}

export const redemptionEvent = (id: string, over: { title?: string; rewardId?: string; input?: string; login?: string } = {}) => ({
  id,
  broadcaster_user_id: BROADCASTER.id,
  broadcaster_user_login: BROADCASTER.login,
  broadcaster_user_name: BROADCASTER.display_name,
  user_id: '777',
  user_login: over.login ?? 'ana',
  user_name: 'Ana',
  user_input: over.input ?? 'what do pickles dream of?',
  status: 'unfulfilled',
  reward: { id: over.rewardId ?? 'reward-1', title: over.title ?? 'Ask Pickle', cost: 100, prompt: 'Ask me anything' },
  redeemed_at: '2026-11-30T12:00:00.000Z',
});

export const followEvent = (n: number, name: string) => ({
  user_id: `${1000 + n}`,
  user_login: name.toLowerCase(),
  user_name: name,
  broadcaster_user_id: BROADCASTER.id,
  broadcaster_user_login: BROADCASTER.login,
  broadcaster_user_name: BROADCASTER.display_name,
  followed_at: '2026-11-30T12:00:00.000Z',
});
