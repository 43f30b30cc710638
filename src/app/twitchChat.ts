/**
 * Twitch chat for the app: with TWITCH_CHANNEL, the IRC client starts with the freshest tokens
 * (stored ones, refreshed earlier, win over the .env's) and saves every refreshed pair; without it,
 * the status board says how to leave rehearsal mode.
 */
import type { PickleEvent } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { createTwitchChat, type TwitchChat } from '../twitch/client.ts';
import type { ChildHost } from '../children.ts';
import { loadStoredTokens, saveTokens } from '../chat/tokenStore.ts';

export interface TwitchChatOptions {
  env: Env;
  dataDir: string;
  status: StatusBoard;
  log: Logger;
  send: (event: PickleEvent) => void;
  /** Where the connection's machines run (the orchestrator's children). */
  children: ChildHost;
  /** Faster reconnects for tests. */
  twitchBackoffMs?: number | undefined;
}

export function startTwitchChat(opts: TwitchChatOptions): TwitchChat | undefined {
  const { env, dataDir, status, log, send } = opts;
  let twitch: TwitchChat | undefined;
  if (env.TWITCH_CHANNEL) {
    const stored = loadStoredTokens(dataDir, env.TWITCH_BOT_TOKEN);
    const token = stored?.accessToken ?? env.TWITCH_BOT_TOKEN;
    const refreshToken = stored?.refreshToken ?? env.TWITCH_REFRESH_TOKEN;
    twitch = createTwitchChat({
      channel: env.TWITCH_CHANNEL,
      ...(env.TWITCH_BOT_USERNAME ? { login: env.TWITCH_BOT_USERNAME } : {}),
      ...(token ? { token } : {}),
      ...(refreshToken ? { refreshToken } : {}),
      onTokens: (t) => saveTokens(dataDir, env.TWITCH_BOT_TOKEN, t),
      ...(env.TWITCH_CLIENT_ID ? { clientId: env.TWITCH_CLIENT_ID } : {}),
      ...(env.TWITCH_CLIENT_SECRET ? { clientSecret: env.TWITCH_CLIENT_SECRET } : {}),
      ircUrl: env.TWITCH_IRC_URL!,
      authUrl: env.TWITCH_AUTH_URL!,
      status,
      log: log.child({ service: 'twitch' }),
      send,
      children: opts.children,
      ...(opts.twitchBackoffMs ? { backoff: { baseMs: opts.twitchBackoffMs, maxMs: opts.twitchBackoffMs * 4 } } : {}),
    });
    void twitch.start().catch((err: Error) => log.error({ event: 'twitch', err: err.message }, 'twitch start failed'));
  } else {
    status.set('twitch', 'disabled', 'rehearsal mode: no channel set; chat comes from the panel / POST /api/chat', {
      fix: 'set TWITCH_CHANNEL=yourchannel in .env to read your chat (add TWITCH_BOT_TOKEN to also post)',
      configured: false,
    });
  }
  return twitch;
}
