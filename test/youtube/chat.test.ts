/** The YouTube chat adapter (its machine on its own clock) against the Data API v3 stand-in. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OAuthToken } from '../../src/chat/oauthToken.ts';
import { standaloneChildren } from '../../src/children.ts';
import { YoutubeChat, type YoutubeChatOptions } from '../../src/youtube/chat.ts';
import { QUOTA_COUNT_FILE } from '../../src/youtube/quotaCount.ts';
import { adapterHarness, sleep, until } from '../chat/adapterHarness.ts';
import { startYoutubeStandin } from '../standins/youtubeApi.ts';

type Standin = Awaited<ReturnType<typeof startYoutubeStandin>>;
let yt: Standin | undefined;
const chats: YoutubeChat[] = [];
afterEach(async () => {
  for (const c of chats.splice(0)) await c.stop();
  await yt?.close();
  yt = undefined;
});

const alice = { channelId: 'UCalice', displayName: '@alice' };
const mod = { channelId: 'UCmod', displayName: '@mod', isChatModerator: true };

function start(over: Partial<YoutubeChatOptions> = {}) {
  const h = adapterHarness();
  const chat = new YoutubeChat({ apiUrl: yt!.url, apiKey: yt!.apiKey, videoId: yt!.videoId, dailyQuota: 100_000_000, children: standaloneChildren(), status: h.status, log: h.log, send: h.send, ...over });
  chats.push(chat);
  chat.start();
  return { ...h, chat, state: () => h.status.get('youtube') };
}

describe('youtube chat adapter', () => {
  it('skips the backlog, then forwards lines with roles, deletions, bans and Super Chats as YouTube\'s', async () => {
    yt = await startYoutubeStandin({ pollingIntervalMillis: 100 });
    yt.say(alice, 'said before Pickle joined');
    const t = start();
    await until(() => yt!.polls.length >= 1, 'the first page');
    yt.say(mod, 'hello Pickle from a mod');
    const bad = yt.say(alice, 'something awful');
    yt.deleteMessage(bad, mod);
    yt.ban(alice, mod);
    yt.superChat(alice, '$5.00', 'keep it up');
    await until(() => t.of('stream.event').length === 1, 'the super chat');
    const lines = t.of('chat.message').map((e) => e.message);
    expect(lines.map((m) => m.text)).toEqual(['hello Pickle from a mod', 'something awful']);
    expect(lines[0]).toMatchObject({ platform: 'youtube', user: 'ucmod', displayName: '@mod', role: 'moderator' });
    expect(t.of('chat.deleted')).toEqual([{ type: 'chat.deleted', platform: 'youtube', messageId: bad }]);
    expect(t.of('chat.cleared')).toEqual([{ type: 'chat.cleared', platform: 'youtube', user: 'ucalice' }]);
    expect(t.of('stream.event')[0]!.event).toMatchObject({ platform: 'youtube', kind: 'bits', paid: '$5.00', text: 'keep it up' });
    expect(t.state()).toMatchObject({ state: 'up', detail: expect.stringMatching(/units today, polling every \d+ s/) });
  });

  it('never polls sooner than pollingIntervalMillis', async () => {
    yt = await startYoutubeStandin({ pollingIntervalMillis: 400 });
    start();
    await until(() => yt!.polls.length >= 4, 'four polls');
    const gaps = yt.polls.slice(1).map((p, i) => p.at - yt!.polls[i]!.at);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(399);
  });

  it('with a channel: one search, then the video\'s live chat; the units are counted', async () => {
    yt = await startYoutubeStandin({ pollingIntervalMillis: 100 });
    const t = start({ videoId: undefined, channelId: yt.channelId, dailyQuota: 10_000 });
    await until(() => yt!.polls.length >= 1, 'a poll');
    // The stand-in counts the poll when it answers; the status line follows once Pickle has read that answer.
    await until(() => /units today, polling every/.test(t.state()?.detail ?? ''), 'the status line after the first poll');
    // 100 (search) + 1 (videos) + 5 per poll, planned to last 8 hours: 8 h × 5 / 9,894 ≈ 15 s.
    expect(t.state()?.detail).toBe('106 of 10,000 units today, polling every 15 s');
  });

  it('quotaExceeded (Google\'s 403 body) shows degraded with the fix', async () => {
    yt = await startYoutubeStandin({ pollingIntervalMillis: 50, quota: 16 });
    const t = start();
    await until(() => t.state()?.state === 'degraded', 'degraded');
    expect(t.state()).toMatchObject({ detail: expect.stringContaining('quota is spent'), fix: expect.stringContaining('YOUTUBE_DAILY_QUOTA') });
  });

  it('a bad key is down, naming YOUTUBE_API_KEY; the error body is logged once', async () => {
    yt = await startYoutubeStandin();
    const t = start({ apiKey: 'wrong' });
    await until(() => t.state()?.state === 'down', 'down');
    expect(t.state()).toMatchObject({ detail: expect.stringContaining('YOUTUBE_API_KEY'), fix: expect.stringContaining('YOUTUBE_API_KEY') });
    expect(t.state()!.detail).toContain('API key not valid');
    await sleep(100);
    expect(yt.polls).toHaveLength(0);
  });

  it('a line over 500 characters is clipped and logged once; the chat is still read', async () => {
    yt = await startYoutubeStandin({ pollingIntervalMillis: 50 });
    const t = start();
    await until(() => yt!.polls.length >= 1, 'the first page');
    yt.say(alice, 'x'.repeat(900));
    yt.say(alice, 'y'.repeat(900));
    yt.say(alice, 'fine');
    await until(() => t.of('chat.message').length === 3, 'three lines');
    expect(t.of('chat.message').map((e) => e.message.text.length)).toEqual([500, 500, 4]);
    expect(t.logLines.filter((l) => l.includes('oversized'))).toHaveLength(1);
  });

  it('replies go out with the refreshed OAuth token, cost 20 units, and are not read back as input', async () => {
    yt = await startYoutubeStandin({ pollingIntervalMillis: 50 });
    const token = new OAuthToken({ tokenUrl: yt.tokenUrl, clientId: 'cid', clientSecret: 'secret', refreshToken: 'yt-refresh' }, undefined);
    const t = start({ token });
    await until(() => yt!.polls.length >= 1, 'the first page');
    const before = yt.used;
    t.chat.say('Hi alice, welcome in!');
    await until(() => yt!.inserted.length === 1, 'the insert');
    expect(yt.inserted[0]!.text).toBe('Hi alice, welcome in!');
    expect(yt.used - before).toBeGreaterThanOrEqual(20);
    yt.say(alice, 'after the reply');
    await until(() => t.of('chat.message').length === 1, 'alice');
    expect(t.of('chat.message')[0]!.message.text).toBe('after the reply');
  });

  describe("the day's units outlive a restart (PICKLE_DATA_DIR/youtube-quota.json)", () => {
    // Noon UTC on 7 December is 04:00 that day in Pacific time, where YouTube's quota day is counted.
    const NOON_UTC = Date.UTC(2026, 11, 7, 12);
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });
    const stored = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;

    it('the count is stored (0600) as it changes, and the next run goes on from it', async () => {
      dir = mkdtempSync(join(tmpdir(), 'pickle-yt-quota-'));
      const file = join(dir, QUOTA_COUNT_FILE);
      yt = await startYoutubeStandin({ pollingIntervalMillis: 300 });
      const first = start({ dailyQuota: 10_000_000, quotaFile: file, now: () => NOON_UTC });
      await until(() => yt!.polls.length >= 3, 'three polls');
      // Stopped once Pickle has counted what the stand-in billed (the next poll is 300 ms away).
      await until(() => first.state()?.detail.startsWith(`${yt!.used.toLocaleString('en-US')} of`) === true, 'the count to catch up');
      await first.chat.stop();
      chats.splice(chats.indexOf(first.chat), 1);
      const spent = yt.used;
      // What the stand-in billed is what was stored: 1 (videos) + 5 per poll.
      expect(stored(file)).toEqual({ day: '2026-12-07', used: spent });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const second = start({ dailyQuota: 10_000_000, quotaFile: file, now: () => NOON_UTC });
      await until(() => /units today, polling every/.test(second.state()?.detail ?? ''), 'the status line after a poll');
      const shown = Number(/^([\d,]+) of/.exec(second.state()!.detail)![1]!.replace(/,/g, ''));
      expect(shown).toBeGreaterThanOrEqual(spent + 1 + 5);
    });

    it("yesterday's count (Pacific time) is not today's, and a damaged file is no count", async () => {
      dir = mkdtempSync(join(tmpdir(), 'pickle-yt-quota-'));
      const file = join(dir, QUOTA_COUNT_FILE);
      yt = await startYoutubeStandin({ pollingIntervalMillis: 100 });
      for (const content of [JSON.stringify({ day: '2026-12-06', used: 9_000 }), '{"day": "2026-12-07", "used": "lots"', '']) {
        writeFileSync(file, content);
        const t = start({ dailyQuota: 10_000, quotaFile: file, now: () => NOON_UTC });
        await until(() => /units today, polling every/.test(t.state()?.detail ?? ''), 'the status line after a poll');
        expect(t.state()!.detail).toMatch(/^(6|11|16) of 10,000 units today/);
        await t.chat.stop();
        chats.splice(chats.indexOf(t.chat), 1);
      }
    });
  });
});
