import type { PickleEvent } from '../../../machines/events.ts';
import type { Env } from '../../config/env.ts';
import type { Logger } from '../../log.ts';
import type { StatusBoard } from '../../status.ts';
import type { Backoff } from '../../../machines/reconnect.ts';
import type { ChildHost } from '../../children.ts';
import { createEventFeed, type EventFeed } from './feed.ts';

export type { EventFeed } from './feed.ts';

/**
 * Channel-point questions and follows, when the broadcaster's token is set. Without it the
 * `twitch-events` service is disabled with the step that enables it; IRC chat is unaffected.
 */
export function startEventFeed(p: {
  env: Env;
  dataDir: string;
  status: StatusBoard;
  log: Logger;
  send: (event: PickleEvent) => void;
  rewardTitle: () => string;
  backoff?: Backoff;
  /** The orchestrator's children: the feed's machines run there. */
  children: ChildHost;
}): EventFeed | undefined {
  const { env, status } = p;
  if (!env.TWITCH_BROADCASTER_TOKEN || !env.TWITCH_CLIENT_ID) {
    const missing = [!env.TWITCH_BROADCASTER_TOKEN && 'TWITCH_BROADCASTER_TOKEN', !env.TWITCH_CLIENT_ID && 'TWITCH_CLIENT_ID'].filter(Boolean).join(' and ');
    status.set('twitch-events', 'disabled', `channel-point questions and follows are off: ${missing} not set`, {
      fix: 'set TWITCH_CLIENT_ID and TWITCH_BROADCASTER_TOKEN (the broadcaster\'s token with scopes channel:manage:redemptions moderator:read:followers) in .env, then `npm run twitch -- create-reward`',
      configured: false,
    });
    return undefined;
  }
  const feed = createEventFeed({
    eventsubUrl: env.TWITCH_EVENTSUB_URL!,
    apiUrl: env.TWITCH_API_URL!,
    authUrl: env.TWITCH_AUTH_URL!,
    clientId: env.TWITCH_CLIENT_ID,
    token: env.TWITCH_BROADCASTER_TOKEN,
    dataDir: p.dataDir,
    status,
    log: p.log,
    send: p.send,
    rewardTitle: p.rewardTitle,
    ...(env.TWITCH_CLIENT_SECRET ? { clientSecret: env.TWITCH_CLIENT_SECRET } : {}),
    ...(env.TWITCH_BROADCASTER_REFRESH_TOKEN ? { refreshToken: env.TWITCH_BROADCASTER_REFRESH_TOKEN } : {}),
    ...(env.TWITCH_CHANNEL ? { channel: env.TWITCH_CHANNEL } : {}),
    ...(p.backoff ? { backoff: p.backoff } : {}),
    children: p.children,
  });
  void feed.start().catch((err: Error) => p.log.error({ event: 'eventsub', err: err.message }, 'event feed start failed'));
  return feed;
}
