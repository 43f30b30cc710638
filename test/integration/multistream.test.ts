/**
 * One conversation over three chats: Pickle against the Twitch IRC, YouTube Data API and Kick
 * (Pusher + public API) stand-ins at once. A mention on each platform is answered, and its reply
 * is posted in that platform's chat only; a Kick mod's `!skip` skips.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKickStandin } from '../standins/kick.ts';
import { startYoutubeStandin } from '../standins/youtubeApi.ts';
import { CHANNEL, startRig, type Rig } from './harness.ts';

let rig: Rig | undefined;
let yt: Awaited<ReturnType<typeof startYoutubeStandin>> | undefined;
let kick: Awaited<ReturnType<typeof startKickStandin>> | undefined;
afterEach(async () => {
  await rig?.stop();
  await yt?.close();
  await kick?.close();
  rig = yt = kick = undefined;
});

const BOT_TOKEN = 'rigbottoken0123456789';
const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function startAll(ollama: { tokenDelayMs?: number } = {}) {
  yt = await startYoutubeStandin({ pollingIntervalMillis: 100 });
  kick = await startKickStandin();
  rig = await startRig({
    irc: { validTokens: [BOT_TOKEN] },
    ollama,
    env: {
      TWITCH_BOT_TOKEN: `oauth:${BOT_TOKEN}`,
      TWITCH_BOT_USERNAME: 'cohost_bot',
      YOUTUBE_API_KEY: yt.apiKey,
      YOUTUBE_VIDEO_ID: yt.videoId,
      YOUTUBE_API_URL: yt.url,
      YOUTUBE_DAILY_QUOTA: '100000000',
      YOUTUBE_CLIENT_ID: 'cid',
      YOUTUBE_CLIENT_SECRET: 'csecret',
      YOUTUBE_REFRESH_TOKEN: 'yt-refresh',
      YOUTUBE_AUTH_URL: yt.tokenUrl,
      KICK_CHANNEL: kick.slug,
      KICK_API_URL: kick.apiUrl,
      KICK_PUSHER_URL: kick.pusherUrl,
      KICK_PUBLIC_API_URL: kick.publicApiUrl,
      KICK_TOKEN: 'kick-token',
    },
  });
  const r = rig;
  await r.waitFor(() => r.pickle.status.get('youtube')?.state === 'up' && r.pickle.status.get('kick')?.state === 'up' && kick!.listeners() === 1 && yt!.polls.length > 0, 15_000, 'YouTube and Kick up');
  await put(`${r.pickle.url}/api/settings/persona`, { replyInChat: true, cooldownSec: 0 });
  return r;
}

describe('multistream: one conversation, answered where it was asked', () => {
  it('a mention on each platform is answered, and posted only in that platform\'s chat', async () => {
    const r = await startAll();
    r.ollama.responder = (req) => {
      const asked = (req.messages.at(-1)?.content ?? '').split('New input')[1] ?? '';
      const who = /from kick/.test(asked) ? 'Kick' : /from youtube/.test(asked) ? 'YouTube' : 'Twitch';
      return { emotion: 'happy', text: `Hello ${who} friend.` };
    };
    const kickQuestion = kick!.message({ username: 'Alice' }, 'hey Pickle, hello from kick');
    await r.waitFor(() => kick!.posted.length === 1, 15_000, 'the Kick reply');
    yt!.say({ channelId: 'UCalice', displayName: '@alice' }, 'Pickle hello from youtube');
    await r.waitFor(() => yt!.inserted.length === 1, 15_000, 'the YouTube reply');
    r.irc!.say(CHANNEL, { user: 'alice', text: '@Pickle hello from twitch' });
    await r.waitFor(() => r.irc!.sent.length === 1, 15_000, 'the Twitch reply');
    await new Promise((res) => setTimeout(res, 1_000));
    expect(kick!.posted.map((p) => p.content)).toEqual(['Hello Kick friend.']);
    // Threaded on Kick: the reply names the message it answers.
    expect(kick!.posted[0]!.body.reply_to_message_id).toBe(kickQuestion);
    expect(yt!.inserted.map((p) => p.text)).toEqual(['Hello YouTube friend.']);
    expect(r.irc!.sent.map((s) => s.text)).toEqual(['Hello Twitch friend.']);
    // Spoken once each: three replies, three captions.
    expect(r.captions().filter((c) => c.includes('friend')).length).toBe(3);
    // /health: a line per platform.
    const health = (await (await fetch(`${r.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string; detail: string }> };
    const line = (name: string) => health.services.find((x) => x.service === name);
    expect(line('youtube')).toMatchObject({ state: 'up', detail: expect.stringMatching(/^[\d,]+ of 100,000,000 units today, polling every \d+ s$/) });
    expect(line('kick')).toMatchObject({ state: 'up' });
    expect(line('twitch')).toMatchObject({ state: 'up' });
  });

  it('a Kick mod\'s !skip skips the reply being spoken; a Kick viewer\'s does not', async () => {
    const r = await startAll({ tokenDelayMs: 30 });
    const long = 'Once upon a time there was a pickle. It lived in a jar. The jar was on a shelf. One day the shelf broke. The pickle rolled across the floor. It met a cat.';
    r.ollama.responder = () => ({ emotion: 'happy', text: long });
    const ignored: string[] = [];
    r.pickle.orchestrator.on('chat.ignored', (e) => void ignored.push(`${e.reason}:${e.message.platform}:${e.message.user}`));
    r.irc!.say(CHANNEL, { user: 'sam', text: '@Pickle tell me a long story' });
    await r.waitFor(() => r.captions().length > 0, 15_000, 'the reply under way');
    kick!.message({ username: 'Viewer' }, '!skip');
    await r.waitFor(() => ignored.includes('not-mod:kick:viewer'), 5_000, 'the viewer refused');
    expect(r.overlayEvents.some((e) => e.event === 'speaking' && e.data.value === false)).toBe(false);
    const streamEnd = r.llm.nextStream();
    kick!.message({ username: 'ModMax', badges: ['moderator'] }, '!skip');
    await r.waitFor(() => r.overlayEvents.some((e) => e.event === 'speaking' && e.data.value === false), 5_000, 'speaking false');
    expect((await streamEnd).outcome).toBe('client-closed');
    expect(r.captions().at(-1)!.length).toBeLessThan(long.length);
  });
});
