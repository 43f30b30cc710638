/**
 * The settings of the chats beside Twitch (YouTube, Kick): each platform is off until its first
 * setting is given. Part of `envSchema` (src/config/env.ts).
 */
import { z } from 'zod';

const text = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const url = (def: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v && v.trim() !== '' ? v.trim() : def;
      try {
        return new URL(s).toString().replace(/\/$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL like https://example.com (got "${v}")` });
        return z.NEVER;
      }
    });

const units = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return 10_000;
    const n = Number(v.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < 100 || n > 100_000_000) {
      ctx.addIssue({ code: 'custom', message: `expected whole quota units per day, at least 100 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });

const slug = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = v?.trim().toLowerCase().replace(/^https?:\/\/(www\.)?kick\.com\//, '');
    if (!s) return undefined;
    if (!/^[a-z0-9_-]{1,64}$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: `expected the channel's name as in kick.com/<name> (got "${v}")` });
      return z.NEVER;
    }
    return s;
  });

const numericId = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v || v.trim() === '') return undefined;
    if (!/^\d{1,15}$/.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: `expected a number (got "${v}")` });
      return z.NEVER;
    }
    return Number(v.trim());
  });

export const platformEnvShape = {
  /** YouTube Data API v3 key: reading a public live chat. */
  YOUTUBE_API_KEY: text,
  /** The live video to read (its id, from youtube.com/watch?v=<id>). */
  YOUTUBE_VIDEO_ID: text,
  /** Or the channel: its live video is found with one search (100 units). */
  YOUTUBE_CHANNEL_ID: text,
  YOUTUBE_API_URL: url('https://www.googleapis.com/youtube/v3'),
  /** The project's daily quota in units (Google's default grant: 10,000). */
  YOUTUBE_DAILY_QUOTA: units,
  /** OAuth client and refresh token: replies in YouTube chat (`npm run youtube -- login`). */
  YOUTUBE_CLIENT_ID: text,
  YOUTUBE_CLIENT_SECRET: text,
  YOUTUBE_REFRESH_TOKEN: text,
  YOUTUBE_AUTH_URL: url('https://oauth2.googleapis.com/token'),
  /** Kick channel slug (kick.com/<slug>). */
  KICK_CHANNEL: slug,
  /** The chatroom's id, when the channel lookup is blocked (Cloudflare): kick.com/api/v2/channels/<slug> → chatroom.id in a browser. */
  KICK_CHATROOM_ID: numericId,
  KICK_API_URL: url('https://kick.com/api/v2'),
  /** Kick's Pusher WebSocket (protocol 7). */
  KICK_PUSHER_URL: url('wss://ws-us2.pusher.com/app/32cbd69e4b950bf97679?protocol=7&client=js&version=8.4.0&flash=false'),
  /** Replies in Kick chat: a user access token with chat:write (`npm run kick -- login`). */
  KICK_TOKEN: text,
  KICK_CLIENT_ID: text,
  KICK_CLIENT_SECRET: text,
  KICK_REFRESH_TOKEN: text,
  KICK_AUTH_URL: url('https://id.kick.com'),
  /** Kick's official public API (chat replies). */
  KICK_PUBLIC_API_URL: url('https://api.kick.com'),
};

type PlatformEnv = { [K in keyof typeof platformEnvShape]: z.output<(typeof platformEnvShape)[K]> };

/** The platforms' values that must never reach logs or responses. */
export function platformSecrets(env: Pick<PlatformEnv, 'YOUTUBE_API_KEY' | 'YOUTUBE_CLIENT_SECRET' | 'YOUTUBE_REFRESH_TOKEN' | 'KICK_TOKEN' | 'KICK_CLIENT_SECRET' | 'KICK_REFRESH_TOKEN'>): string[] {
  return [env.YOUTUBE_API_KEY, env.YOUTUBE_CLIENT_SECRET, env.YOUTUBE_REFRESH_TOKEN, env.KICK_TOKEN, env.KICK_CLIENT_SECRET, env.KICK_REFRESH_TOKEN].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
