/**
 * Kick chat for the app: read with KICK_CHANNEL (or KICK_CHATROOM_ID); replies with KICK_TOKEN,
 * refreshed with KICK_CLIENT_ID/SECRET/REFRESH_TOKEN. Without a channel, /health says what to set.
 */
import type { PlatformStartOptions } from '../chat/platformStart.ts';
import { OAuthToken } from '../chat/oauthToken.ts';
import { loadStoredTokens, saveTokens } from '../chat/tokenStore.ts';
import { KickChat } from './chat.ts';
import { errorText } from '../errors.ts';

export const KICK_TOKEN_FILE = 'kick-tokens.json';

export const KICK_FIX = 'set KICK_CHANNEL=yourchannel in .env (the name in kick.com/<name>); add KICK_TOKEN to also post (npm run kick -- login)';

export function startKickChat(opts: PlatformStartOptions): KickChat | undefined {
  const { env, status } = opts;
  if (!env.KICK_CHANNEL && env.KICK_CHATROOM_ID === undefined) {
    status.set('kick', 'disabled', 'Kick chat is not read (no KICK_CHANNEL)', { fix: KICK_FIX, configured: false });
    return undefined;
  }
  // Kick rotates refresh tokens: the pair of the last refresh is kept, and used while .env still
  // holds the pair it replaced (the fingerprint is of both, so pasting either anew wins).
  const envPair = `${env.KICK_TOKEN ?? ''}\n${env.KICK_REFRESH_TOKEN ?? ''}`;
  const stored = env.KICK_REFRESH_TOKEN ? loadStoredTokens(opts.dataDir, envPair, KICK_TOKEN_FILE) : undefined;
  const log = opts.log.child({ service: 'kick' });
  const refresh = env.KICK_CLIENT_ID && env.KICK_CLIENT_SECRET && env.KICK_REFRESH_TOKEN
    ? {
        tokenUrl: `${env.KICK_AUTH_URL}/oauth/token`,
        clientId: env.KICK_CLIENT_ID,
        clientSecret: env.KICK_CLIENT_SECRET,
        refreshToken: stored?.refreshToken ?? env.KICK_REFRESH_TOKEN,
        onRefreshed: (tokens: { accessToken: string; refreshToken?: string }) => {
          try {
            saveTokens(opts.dataDir, envPair, tokens, KICK_TOKEN_FILE);
          } catch (err) {
            log.warn({ err: errorText(err) }, 'kick: could not store the refreshed tokens');
          }
        },
      }
    : undefined;
  const access = stored?.accessToken ?? env.KICK_TOKEN;
  const token = access || refresh ? new OAuthToken(refresh, access) : undefined;
  const chat = new KickChat({
    channel: env.KICK_CHANNEL,
    chatroomId: env.KICK_CHATROOM_ID,
    apiUrl: env.KICK_API_URL,
    pusherUrl: env.KICK_PUSHER_URL,
    publicApiUrl: env.KICK_PUBLIC_API_URL,
    token,
    children: opts.children,
    status,
    log,
    send: opts.send,
  });
  chat.start();
  return chat;
}
