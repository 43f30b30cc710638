/**
 * Kick chat for the app: read with KICK_CHANNEL (or KICK_CHATROOM_ID); replies with KICK_TOKEN,
 * refreshed with KICK_CLIENT_ID/SECRET/REFRESH_TOKEN. Without a channel, /health says what to set.
 */
import type { InputEvent } from '../../machines/events.ts';
import { OAuthToken } from '../chat/oauthToken.ts';
import type { ChildHost } from '../children.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { KickChat } from './chat.ts';

export interface StartKickOptions {
  env: Env;
  status: StatusBoard;
  log: Logger;
  send: (event: InputEvent) => void;
  children: ChildHost;
}

export const KICK_FIX = 'set KICK_CHANNEL=yourchannel in .env (the name in kick.com/<name>); add KICK_TOKEN to also post (npm run kick -- login)';

export function startKickChat(opts: StartKickOptions): KickChat | undefined {
  const { env, status } = opts;
  if (!env.KICK_CHANNEL && env.KICK_CHATROOM_ID === undefined) {
    status.set('kick', 'disabled', 'Kick chat is not read (no KICK_CHANNEL)', { fix: KICK_FIX, configured: false });
    return undefined;
  }
  const refresh = env.KICK_CLIENT_ID && env.KICK_CLIENT_SECRET && env.KICK_REFRESH_TOKEN
    ? { tokenUrl: `${env.KICK_AUTH_URL}/oauth/token`, clientId: env.KICK_CLIENT_ID, clientSecret: env.KICK_CLIENT_SECRET, refreshToken: env.KICK_REFRESH_TOKEN }
    : undefined;
  const token = env.KICK_TOKEN || refresh ? new OAuthToken(refresh, env.KICK_TOKEN) : undefined;
  const chat = new KickChat({
    channel: env.KICK_CHANNEL,
    chatroomId: env.KICK_CHATROOM_ID,
    apiUrl: env.KICK_API_URL,
    pusherUrl: env.KICK_PUSHER_URL,
    publicApiUrl: env.KICK_PUBLIC_API_URL,
    token,
    children: opts.children,
    status,
    log: opts.log.child({ service: 'kick' }),
    send: opts.send,
  });
  chat.start();
  return chat;
}
