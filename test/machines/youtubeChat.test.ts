/** Reading YouTube's live chat inside the day's quota (fake timers: the machine's waits are its own). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { lookupWaitMs, pollPlanMs, PLANNED_STREAM_MS, RETRY_MS, usedAtStart, youtubeChatMachine, type YoutubeChatEmitted, type YoutubeChatInput } from '../../machines/youtubeChat.ts';

function start(input: Partial<YoutubeChatInput> = {}) {
  const actor = createActor(youtubeChatMachine, { input: { dailyQuota: 10_000, lookupCost: 1, replies: false, day: '2026-12-07', ...input } });
  const out: YoutubeChatEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  actor.send({ type: 'chat.start' });
  const polls = () => out.filter((e) => e.type === 'chat.poll').length;
  const status = () => out.filter((e) => e.type === 'chat.status').at(-1);
  return { actor, out, polls, status, state: () => JSON.stringify(actor.getSnapshot().value) };
}

describe('youtube chat machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never polls sooner than pollingIntervalMillis', () => {
    const t = start({ dailyQuota: 1_000_000 });
    expect(t.out.map((e) => e.type)).toContain('chat.lookup');
    t.actor.send({ type: 'chat.found', liveChatId: 'chat-1', units: 1 });
    expect(t.polls()).toBe(1);
    t.actor.send({ type: 'chat.polled', units: 5, pollingIntervalMs: 7_000 });
    vi.advanceTimersByTime(6_999);
    expect(t.polls()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(t.polls()).toBe(2);
    expect(t.out.at(-1)).toEqual({ type: 'chat.poll', liveChatId: 'chat-1' });
  });

  it('slows down so the units left last an 8-hour stream, and says so', () => {
    const t = start();
    t.actor.send({ type: 'quota.spent', units: 1_824 });
    t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
    t.actor.send({ type: 'chat.polled', units: 5, pollingIntervalMs: 2_000 });
    expect(t.status()).toEqual({ type: 'chat.status', state: 'up', detail: '1,830 of 10,000 units today, polling every 18 s' });
    vi.advanceTimersByTime(17_999);
    expect(t.polls()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(t.polls()).toBe(2);
    // The plan holds: polling at that pace for 8 hours spends no more than what was left.
    expect((PLANNED_STREAM_MS / 18_000) * 5).toBeLessThanOrEqual(10_000 - 1_830);
  });

  it('keeps units back for replies when it can post', () => {
    expect(pollPlanMs({ dailyQuota: 10_000, used: 1_830, replies: true }, 2_000)).toBe(21_000);
    expect(pollPlanMs({ dailyQuota: 10_000, used: 0, replies: false }, 20_000)).toBe(20_000);
  });

  it('quotaExceeded: degraded with the fix, until the quota day starts again', () => {
    const t = start();
    t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
    t.actor.send({ type: 'chat.failed', failure: 'quotaExceeded', detail: 'quota', units: 5 });
    expect(t.status()).toMatchObject({ state: 'degraded', fix: expect.stringContaining('YOUTUBE_DAILY_QUOTA') });
    vi.advanceTimersByTime(3600_000);
    expect(t.polls()).toBe(1);
    t.actor.send({ type: 'quota.dayStarted', day: '2026-12-08' });
    expect(t.out.filter((e) => e.type === 'chat.lookup')).toHaveLength(2);
  });

  it('spends no more than the budget: with the units gone it stops polling', () => {
    const t = start({ dailyQuota: 20 });
    t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
    for (let i = 0; i < 10; i++) {
      t.actor.send({ type: 'chat.polled', units: 5, pollingIntervalMs: 1_000 });
      vi.advanceTimersByTime(300_000);
    }
    expect(t.polls()).toBe(3);
    expect(t.status()).toMatchObject({ state: 'degraded' });
  });

  it('liveChatEnded: back to waiting for the next broadcast, looked up again after the planned wait', () => {
    const t = start({ lookupCost: 101 });
    t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 101 });
    t.actor.send({ type: 'chat.failed', failure: 'liveChatEnded', detail: 'ended', units: 5 });
    expect(t.status()).toMatchObject({ state: 'up', detail: expect.stringContaining('waiting for the next broadcast') });
    const wait = lookupWaitMs({ dailyQuota: 10_000, used: 106, lookupCost: 101 });
    expect(wait).toBeGreaterThan(10 * 60_000);
    vi.advanceTimersByTime(wait - 1);
    expect(t.out.filter((e) => e.type === 'chat.lookup')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.out.filter((e) => e.type === 'chat.lookup')).toHaveLength(2);
  });

  it('a refused key is down, naming YOUTUBE_API_KEY; nothing is retried', () => {
    const t = start();
    t.actor.send({ type: 'chat.failed', failure: 'auth', detail: 'API key not valid', units: 0 });
    expect(t.status()).toMatchObject({ state: 'down', detail: expect.stringContaining('YOUTUBE_API_KEY'), fix: expect.stringContaining('YOUTUBE_API_KEY') });
    vi.advanceTimersByTime(3600_000);
    expect(t.out.filter((e) => e.type === 'chat.lookup')).toHaveLength(1);
  });

  it('a server error is retried after a wait', () => {
    const t = start();
    t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
    t.actor.send({ type: 'chat.failed', failure: 'retryable', detail: 'HTTP 503', units: 0 });
    expect(t.status()).toMatchObject({ state: 'degraded' });
    vi.advanceTimersByTime(RETRY_MS);
    expect(t.polls()).toBe(2);
  });

  describe("the day's units outlive a restart", () => {
    const counted = (t: ReturnType<typeof start>) => t.out.filter((e) => e.type === 'quota.counted');

    it("the count stored today goes on from where it was: the plan and the status line say so", () => {
      const t = start({ stored: { day: '2026-12-07', used: 1_824 } });
      t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
      t.actor.send({ type: 'chat.polled', units: 5, pollingIntervalMs: 2_000 });
      // As if the units had been spent in this run (see "slows down…" above): 18 s, not 2 s.
      expect(t.status()).toEqual({ type: 'chat.status', state: 'up', detail: '1,830 of 10,000 units today, polling every 18 s' });
      vi.advanceTimersByTime(17_999);
      expect(t.polls()).toBe(1);
      expect(counted(t).at(-1)).toEqual({ type: 'quota.counted', day: '2026-12-07', used: 1_830 });
    });

    it("a count stored on another quota day is not today's: it starts at 0", () => {
      const t = start({ stored: { day: '2026-12-06', used: 9_990 } });
      t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
      t.actor.send({ type: 'chat.polled', units: 5, pollingIntervalMs: 20_000 });
      expect(t.status()).toMatchObject({ state: 'up', detail: '6 of 10,000 units today, polling every 20 s' });
      expect(counted(t).at(-1)).toEqual({ type: 'quota.counted', day: '2026-12-07', used: 6 });
    });

    it('a stored count that makes no sense is none', () => {
      expect(usedAtStart('2026-12-07', { day: '2026-12-07', used: -5 })).toBe(0);
      expect(usedAtStart('2026-12-07', { day: '2026-12-07', used: Number.NaN })).toBe(0);
      expect(usedAtStart('2026-12-07', undefined)).toBe(0);
      expect(usedAtStart('2026-12-07', { day: '2026-12-07', used: 42 })).toBe(42);
    });

    it('a spent quota stored today stays spent after a restart, until the next quota day', () => {
      const t = start({ dailyQuota: 100, stored: { day: '2026-12-07', used: 98 } });
      t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
      expect(t.polls()).toBe(0);
      expect(t.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('99 of 100 units today') });
      t.actor.send({ type: 'quota.dayStarted', day: '2026-12-08' });
      expect(counted(t).at(-1)).toEqual({ type: 'quota.counted', day: '2026-12-08', used: 0 });
      t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
      expect(t.polls()).toBe(1);
    });

    it('a quota stored as spent today is not spent again on a lookup', () => {
      const t = start({ dailyQuota: 10_000, lookupCost: 101, stored: { day: '2026-12-07', used: 9_950 } });
      expect(t.out.filter((e) => e.type === 'chat.lookup')).toHaveLength(0);
      expect(t.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('9,950 of 10,000 units today') });
      t.actor.send({ type: 'quota.dayStarted', day: '2026-12-08' });
      expect(t.out.filter((e) => e.type === 'chat.lookup')).toHaveLength(1);
    });

    it('every change of the count is emitted once; a call that cost nothing is not', () => {
      const t = start();
      t.actor.send({ type: 'chat.found', liveChatId: 'c', units: 1 });
      t.actor.send({ type: 'chat.failed', failure: 'retryable', detail: 'HTTP 503', units: 0 });
      t.actor.send({ type: 'quota.spent', units: 20 });
      expect(counted(t).map((e) => e.used)).toEqual([1, 21]);
    });
  });
});
