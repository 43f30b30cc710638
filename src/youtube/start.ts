/**
 * YouTube chat for the app: read with YOUTUBE_API_KEY and a video or channel; replies in chat
 * with the OAuth settings. Without them, /health says what to set.
 */
import type { PlatformStartOptions } from '../chat/platformStart.ts';
import { OAuthToken } from '../chat/oauthToken.ts';
import { YoutubeChat } from './chat.ts';
import { quotaCountPath } from './quotaCount.ts';

export const YOUTUBE_FIX = 'set YOUTUBE_API_KEY (console.cloud.google.com → YouTube Data API v3 → Credentials) and YOUTUBE_VIDEO_ID or YOUTUBE_CHANNEL_ID in .env';

export function startYoutubeChat(opts: PlatformStartOptions): YoutubeChat | undefined {
  const { env, status } = opts;
  if (!env.YOUTUBE_API_KEY || !(env.YOUTUBE_VIDEO_ID || env.YOUTUBE_CHANNEL_ID)) {
    const missing = !env.YOUTUBE_API_KEY ? 'no YOUTUBE_API_KEY' : 'no YOUTUBE_VIDEO_ID or YOUTUBE_CHANNEL_ID';
    status.set('youtube', 'disabled', `YouTube chat is not read (${missing})`, { fix: YOUTUBE_FIX, configured: false });
    return undefined;
  }
  const oauth = env.YOUTUBE_CLIENT_ID && env.YOUTUBE_CLIENT_SECRET && env.YOUTUBE_REFRESH_TOKEN
    ? new OAuthToken({ tokenUrl: env.YOUTUBE_AUTH_URL, clientId: env.YOUTUBE_CLIENT_ID, clientSecret: env.YOUTUBE_CLIENT_SECRET, refreshToken: env.YOUTUBE_REFRESH_TOKEN }, undefined)
    : undefined;
  const chat = new YoutubeChat({
    apiUrl: env.YOUTUBE_API_URL,
    apiKey: env.YOUTUBE_API_KEY,
    videoId: env.YOUTUBE_VIDEO_ID,
    channelId: env.YOUTUBE_CHANNEL_ID,
    dailyQuota: env.YOUTUBE_DAILY_QUOTA,
    token: oauth,
    children: opts.children,
    status,
    log: opts.log.child({ service: 'youtube' }),
    send: opts.send,
    quotaFile: quotaCountPath(opts.dataDir),
  });
  chat.start();
  return chat;
}
