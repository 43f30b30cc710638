/**
 * YouTube and Kick chat, each checked with one cheap real call: YouTube's key and video or channel
 * (videos.list / channels.list, 1 unit each, never the 100-unit search), Kick's channel lookup.
 */
import type { Env } from '../../config/env.ts';
import { CHATROOM_FIX, KickLookupError, lookUpChannel } from '../../kick/channel.ts';
import { KICK_FIX } from '../../kick/start.ts';
import { youtubeFailureOf } from '../../youtube/api.ts';
import { YOUTUBE_FIX } from '../../youtube/start.ts';
import { fail, ok, reason, warn, type Check, type CheckResult } from '../types.ts';

const KEY_FIX = 'set YOUTUBE_API_KEY to a valid key with the YouTube Data API v3 enabled (console.cloud.google.com → APIs & Services → Credentials)';

export function youtubeCheck(env: Env): Check {
  return {
    name: 'YouTube',
    run: async (): Promise<CheckResult> => {
      if (!env.YOUTUBE_API_KEY || !(env.YOUTUBE_VIDEO_ID || env.YOUTUBE_CHANNEL_ID)) return warn('YouTube chat', 'disabled', YOUTUBE_FIX);
      const [path, query] = env.YOUTUBE_VIDEO_ID ? ['videos', { part: 'liveStreamingDetails', id: env.YOUTUBE_VIDEO_ID }] : ['channels', { part: 'id', id: env.YOUTUBE_CHANNEL_ID ?? '' }];
      let res: Response;
      try {
        res = await fetch(`${env.YOUTUBE_API_URL}/${path}?${new URLSearchParams({ ...query, key: env.YOUTUBE_API_KEY }).toString()}`, { signal: AbortSignal.timeout(8_000) });
      } catch (err) {
        return fail('YouTube chat', `could not reach ${new URL(env.YOUTUBE_API_URL).host} (${reason(err)})`, 'check the internet connection');
      }
      const body = await res.text();
      if (!res.ok) {
        const e = youtubeFailureOf(res.status, body);
        if (e.failure === 'auth') return fail('YouTube chat', `YOUTUBE_API_KEY refused: ${e.message}`, KEY_FIX);
        if (e.failure === 'quotaExceeded') return warn('YouTube chat', `today's quota is spent (${e.message})`, 'wait for midnight Pacific time, or raise the project quota and YOUTUBE_DAILY_QUOTA');
        return fail('YouTube chat', e.message, YOUTUBE_FIX);
      }
      const items = ((JSON.parse(body) as { items?: Array<{ liveStreamingDetails?: { activeLiveChatId?: string } }> }).items ?? []);
      const replies = env.YOUTUBE_REFRESH_TOKEN ? 'replies in chat on' : 'read only (npm run youtube -- login to also post)';
      if (items.length === 0) return fail('YouTube chat', `${env.YOUTUBE_VIDEO_ID ? 'video' : 'channel'} not found`, YOUTUBE_FIX);
      if (env.YOUTUBE_VIDEO_ID) return items[0]?.liveStreamingDetails?.activeLiveChatId ? ok('YouTube chat', `live now; ${replies}; budget ${env.YOUTUBE_DAILY_QUOTA.toLocaleString('en-US')} units a day`) : warn('YouTube chat', `key works; the video is not live (Pickle waits for it); ${replies}`);
      return ok('YouTube chat', `key and channel work (a broadcast is found with a 100-unit search); ${replies}`);
    },
  };
}

export function kickCheck(env: Env): Check {
  return {
    name: 'Kick',
    run: async (): Promise<CheckResult> => {
      if (!env.KICK_CHANNEL && env.KICK_CHATROOM_ID === undefined) return warn('Kick chat', 'disabled', KICK_FIX);
      const replies = env.KICK_TOKEN || env.KICK_REFRESH_TOKEN ? 'replies in chat on' : 'read only (npm run kick -- login to also post)';
      if (env.KICK_CHATROOM_ID !== undefined) return ok('Kick chat', `chatroom ${env.KICK_CHATROOM_ID} (KICK_CHATROOM_ID); ${replies}`);
      try {
        const room = await lookUpChannel(env.KICK_API_URL, env.KICK_CHANNEL ?? '');
        return ok('Kick chat', `${env.KICK_CHANNEL ?? ''}: chatroom ${room.chatroomId}; ${replies}`);
      } catch (err) {
        if (err instanceof KickLookupError) return fail('Kick chat', err.message, err.fix);
        return fail('Kick chat', reason(err), CHATROOM_FIX);
      }
    },
  };
}
