import WebSocket from 'ws';
import { wsText } from '../../net/wsText.ts';
import type { EventFeedEvent, SubscribeFailure } from '../../../machines/eventsub.ts';
import { isAnsweredReward, type RedemptionSettle } from '../../../machines/redemptions.ts';
import { standaloneChildren, type ChildHost } from '../../children.ts';
import type { ChatMessage, PickleEvent } from '../../../machines/events.ts';
import type { Logger } from '../../log.ts';
import type { StatusBoard } from '../../status.ts';
import type { Backoff } from '../../../machines/reconnect.ts';
import { TWITCH_BACKOFF } from '../backoff.ts';
import { BroadcasterToken, BroadcasterTokenError, FIX_TOKEN, SCOPE_FOLLOWERS, SCOPE_REDEMPTIONS } from './broadcasterToken.ts';
import { createHelix, HelixError, type Helix, type SubscriptionRequest } from './helix.ts';
import { parseFrame, readFollow, readRedemption } from './frames.ts';
import { errorText } from '../../errors.ts';

/**
 * The platform event feed (Twitch EventSub over WebSocket): validates the broadcaster's token,
 * looks up the broadcaster, then lets the feed machine drive the connection. This file only does
 * I/O: sockets, Helix calls, and turning notifications into Pickle's inputs — a redemption of the
 * persona's reward becomes an addressed `chat.message`, follows go through the thanks batcher
 * (which sends its thanks to the orchestrator). Redemptions are settled (FULFILLED / CANCELED) as
 * the settling machine decides; the orchestrator routes it the replies and decisions it watches.
 */

export const REDEMPTION_TYPE = 'channel.channel_points_custom_reward_redemption.add';
export const FOLLOW_TYPE = 'channel.follow';
/** The channel went live / ended its broadcast (no scope needed): when a stream's record begins and ends. */
export const ONLINE_TYPE = 'stream.online';
export const OFFLINE_TYPE = 'stream.offline';

export interface EventFeedOptions {
  eventsubUrl: string;
  apiUrl: string;
  authUrl: string;
  clientId: string;
  clientSecret?: string;
  token: string;
  refreshToken?: string;
  dataDir: string;
  /** TWITCH_CHANNEL: the token must be this channel's broadcaster. */
  channel?: string;
  status: StatusBoard;
  log: Logger;
  send: (event: PickleEvent) => void;
  /** The persona's reward title (`behavior.reward_title`, default `Ask <name>`), read per redemption. */
  rewardTitle: () => string;
  backoff?: Backoff;
  random?: () => number;
  followWindowMs?: number;
  answerTimeoutMs?: number;
  /** Validation retry when id.twitch.tv cannot be reached. */
  authRetryMs?: number;
  /** Where the feed's machines run: the orchestrator's children in Pickle (default: on their own). */
  children?: ChildHost;
}

export interface EventFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SERVICE = 'twitch-events';

export function createEventFeed(o: EventFeedOptions): EventFeed {
  const log = o.log;
  const token = new BroadcasterToken({
    dataDir: o.dataDir,
    authUrl: o.authUrl,
    clientId: o.clientId,
    envToken: o.token,
    ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
    ...(o.refreshToken ? { envRefreshToken: o.refreshToken } : {}),
  });
  const helix: Helix = createHelix({ apiUrl: o.apiUrl, clientId: o.clientId, token: () => token.token });
  const sockets = new Map<number, WebSocket>();
  const seen: string[] = [];
  let broadcasterId = '';
  let follows = false;
  let followNote = '';
  let refused403 = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  // On their own, what the machines send up (the follows' thanks) goes where the feed's inputs go.
  const children = o.children ?? standaloneChildren(o.send);
  const feed = children.start({
    src: 'eventFeed',
    systemId: 'eventFeed',
    input: { url: o.eventsubUrl, backoff: o.backoff ?? TWITCH_BACKOFF, random: o.random ?? Math.random },
  });
  const redemptions = children.start({ src: 'redemptions', systemId: 'redemptions', input: o.answerTimeoutMs ? { answerTimeoutMs: o.answerTimeoutMs } : {} });
  const thanks = children.start({ src: 'followThanks', systemId: 'followThanks', input: o.followWindowMs ? { windowMs: o.followWindowMs } : {} });
  const report = (e: EventFeedEvent) => {
    if (!stopped) feed.send(e);
  };

  feed.on('feed.status', (s) => {
    const detail = s.state === 'up' && followNote ? `${s.detail.replace(' and follows', '')} (${followNote})` : s.detail;
    o.status.set(SERVICE, s.state, detail, s.fix ? { fix: s.fix } : {});
  });
  feed.on('feed.connect', ({ conn, url }) => connect(conn, url));
  feed.on('feed.disconnect', ({ conn }) => {
    const ws = sockets.get(conn);
    sockets.delete(conn);
    if (ws && ws.readyState !== WebSocket.CLOSED) ws.close(1000);
  });
  feed.on('feed.subscribe', ({ sessionId }) => void subscribeAll(sessionId));
  redemptions.on('redemption.settle', (e) => void settle(e));

  function connect(conn: number, url: string): void {
    const ws = new WebSocket(url);
    sockets.set(conn, ws);
    ws.on('message', (data) => onFrame(conn, wsText(data)));
    ws.on('error', (err) => log.warn({ event: 'eventsub', conn, err: err.message }, 'event feed socket error'));
    ws.on('close', (code, reason) => {
      if (sockets.get(conn) === ws) sockets.delete(conn);
      log.info({ event: 'eventsub', conn, code }, 'event feed socket closed');
      report({ type: 'socket.closed', conn, code, reason: reason.toString().slice(0, 100) });
    });
  }

  function onFrame(conn: number, text: string): void {
    const f = parseFrame(text);
    if (f.kind === 'unknown') return;
    if (f.kind === 'welcome') report({ type: 'socket.welcome', conn, sessionId: f.sessionId, keepaliveSec: f.keepaliveSec });
    report({ type: 'socket.activity', conn });
    if (f.kind === 'reconnect') report({ type: 'socket.reconnect', conn, url: f.url });
    else if (f.kind === 'revocation') {
      log.warn({ event: 'eventsub', subscription: f.subscriptionType, status: f.status }, 'subscription revoked');
      report({ type: 'subscription.revoked', subscriptionType: f.subscriptionType, status: f.status });
    } else if (f.kind === 'notification') {
      // Twitch may deliver a message twice (e.g. around a reconnect): its id says so.
      if (seen.includes(f.messageId)) return;
      seen.push(f.messageId);
      if (seen.length > 200) seen.shift();
      if (f.subscriptionType === REDEMPTION_TYPE) onRedemption(f.event);
      else if (f.subscriptionType === FOLLOW_TYPE) onFollow(f.event);
      else if (f.subscriptionType === ONLINE_TYPE || f.subscriptionType === OFFLINE_TYPE) {
        log.info({ event: 'eventsub', type: f.subscriptionType }, f.subscriptionType === ONLINE_TYPE ? 'the channel is live' : 'the channel went offline');
        o.send({ type: f.subscriptionType, platform: 'twitch', ts: Date.now() });
      }
    }
  }

  function onRedemption(event: Record<string, unknown>): void {
    const r = readRedemption(event);
    if (!r) return;
    if (!isAnsweredReward(r.rewardTitle, o.rewardTitle())) return;
    const ts = Date.parse(r.redeemedAt);
    const message: ChatMessage = {
      platform: 'twitch',
      id: `redemption-${r.id}`,
      user: r.userLogin,
      displayName: r.userName || r.userLogin,
      text: r.userInput,
      role: r.userId === broadcasterId ? 'broadcaster' : 'viewer',
      ts: Number.isFinite(ts) ? ts : Date.now(),
      redemption: { id: r.id, rewardId: r.rewardId, rewardTitle: r.rewardTitle },
    };
    log.info({ event: 'redemption', id: r.id, user: r.userLogin }, 'channel-point question');
    o.send({ type: 'chat.message', message });
  }

  function onFollow(event: Record<string, unknown>): void {
    const f = readFollow(event);
    if (!f) return;
    const ts = Date.parse(f.followedAt);
    thanks.send({ type: 'follow.received', follower: { platform: 'twitch', id: `follow-${f.userId}`, user: f.userLogin, displayName: f.userName || f.userLogin, ts: Number.isFinite(ts) ? ts : Date.now() } });
  }

  /** One Helix call; on a refused token, refresh once and try again. */
  async function withRefresh<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof HelixError && err.status === 401 && (await token.refresh().catch(() => false))) return call();
      throw err;
    }
  }

  function wanted(): SubscriptionRequest[] {
    const subs: SubscriptionRequest[] = [{ type: REDEMPTION_TYPE, version: '1', condition: { broadcaster_user_id: broadcasterId } }];
    if (follows) subs.push({ type: FOLLOW_TYPE, version: '2', condition: { broadcaster_user_id: broadcasterId, moderator_user_id: broadcasterId } });
    for (const type of [ONLINE_TYPE, OFFLINE_TYPE]) subs.push({ type, version: '1', condition: { broadcaster_user_id: broadcasterId } });
    return subs;
  }

  async function subscribeAll(sessionId: string): Promise<void> {
    for (const req of wanted()) {
      try {
        await withRefresh(() => helix.subscribe(sessionId, req));
      } catch (err) {
        const status = err instanceof HelixError ? err.status : 0;
        if (status === 409) continue;
        if (req.type === ONLINE_TYPE || req.type === OFFLINE_TYPE) {
          // Without it a stream's record runs from Pickle's start to its stop: the feed goes on.
          log.warn({ event: 'eventsub', type: req.type, err: (err as Error).message }, 'live/offline subscription refused');
          continue;
        }
        if (req.type === FOLLOW_TYPE && (status === 403 || status === 400)) {
          followNote = `follows off: ${errorText(err)}`;
          log.warn({ event: 'eventsub', err: errorText(err) }, 'follow subscription refused');
          continue;
        }
        const kind: SubscribeFailure = status === 400 ? 'session' : status === 401 ? 'auth' : status === 403 ? 'scope' : 'server';
        const fix = kind === 'auth' ? FIX_TOKEN : kind === 'scope' ? `authorise again with the scope ${SCOPE_REDEMPTIONS}, then update TWITCH_BROADCASTER_TOKEN` : undefined;
        const detail = kind === 'auth' ? 'Twitch refused TWITCH_BROADCASTER_TOKEN' : errorText(err);
        log.warn({ event: 'eventsub', kind, err: errorText(err) }, 'subscription failed');
        report({ type: 'subscribe.failed', sessionId, kind, detail, ...(fix ? { fix } : {}) });
        return;
      }
    }
    report({ type: 'subscribe.done', sessionId });
  }

  async function settle(e: RedemptionSettle): Promise<void> {
    try {
      await withRefresh(() => helix.settleRedemption({ broadcasterId, rewardId: e.rewardId, redemptionId: e.redemptionId, status: e.status }));
      log.info({ event: 'redemption.settled', id: e.redemptionId, status: e.status, why: e.why }, 'redemption settled');
    } catch (err) {
      const status = err instanceof HelixError ? err.status : 0;
      if (status === 403) {
        // Only rewards created by this client id can be settled; the rest stay for the streamer to settle.
        if (!refused403) log.warn({ event: 'redemption.settle', err: errorText(err) }, 'redemptions left unsettled: the reward was not created by TWITCH_CLIENT_ID; run `npm run twitch -- create-reward`');
        refused403 = true;
        return;
      }
      log.warn({ event: 'redemption.settle', id: e.redemptionId, status: e.status, err: errorText(err) }, 'redemption update failed');
    }
  }

  async function begin(): Promise<void> {
    if (stopped) return;
    try {
      const info = await token.validate();
      follows = info.scopes.includes(SCOPE_FOLLOWERS);
      followNote = follows ? '' : `follows off: the token lacks ${SCOPE_FOLLOWERS}`;
      const [me] = await withRefresh(() => helix.users());
      if (!me) throw new BroadcasterTokenError('Twitch returned no user for TWITCH_BROADCASTER_TOKEN', FIX_TOKEN);
      if (o.channel && me.login !== o.channel) {
        throw new BroadcasterTokenError(`TWITCH_BROADCASTER_TOKEN belongs to ${me.login}, not the channel ${o.channel}`, `authorise as ${o.channel} and update TWITCH_BROADCASTER_TOKEN`);
      }
      broadcasterId = me.id;
    } catch (err) {
      const fatal = err instanceof BroadcasterTokenError ? !err.retryable : err instanceof HelixError && err.status === 401;
      const fix = err instanceof BroadcasterTokenError ? err.fix : fatal ? FIX_TOKEN : 'check the network; Pickle retries';
      const detail = err instanceof HelixError && err.status === 401 ? 'Twitch refused TWITCH_BROADCASTER_TOKEN or TWITCH_CLIENT_ID' : errorText(err);
      o.status.set(SERVICE, 'down', fatal ? detail : `${detail}; retrying`, { fix });
      log.warn({ event: 'eventsub', err: errorText(err) }, 'event feed cannot start');
      if (!fatal && !stopped) retryTimer = setTimeout(() => void begin(), o.authRetryMs ?? 30_000);
      return;
    }
    if (!stopped) feed.send({ type: 'feed.start' });
  }

  return {
    async start() {
      o.status.set(SERVICE, 'starting', 'checking the broadcaster token');
      await begin();
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      for (const id of ['eventFeed', 'redemptions', 'followThanks']) children.stop(id);
      const closing = [...sockets.values()].map(
        (ws) => new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.terminate();
        }),
      );
      sockets.clear();
      await Promise.all(closing);
    },
  };
}
