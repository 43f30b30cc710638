import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { analyticsMachine, type AnalyticsEmitted } from '../../machines/analytics/machine.ts';
import { streamIdOf, STREAM_ID_RE, type MinuteLine, type ReplyLine, type StreamLine } from '../../machines/analytics/records.ts';
import { stagesOf } from '../../machines/analytics/replies.ts';

const T0 = Date.UTC(2026, 11, 7, 20, 15, 0, 42);

function run(minuteMs = 60_000) {
  const actor = createActor(analyticsMachine, { input: { minuteMs } });
  const lines: Array<{ streamId: string; line: StreamLine }> = [];
  const forgets: string[] = [];
  actor.on('analytics.line', (e: Extract<AnalyticsEmitted, { type: 'analytics.line' }>) => lines.push({ streamId: e.streamId, line: e.line }));
  actor.on('analytics.forget', (e) => forgets.push(e.viewer));
  actor.start();
  const of = <K extends StreamLine['k']>(k: K) => lines.map((l) => l.line).filter((l): l is Extract<StreamLine, { k: K }> => l.k === k);
  return { actor, lines, forgets, of };
}

/** One reply through all its stages: message at `at`, each stage `step` ms later. */
function reply(a: ReturnType<typeof run>['actor'], id: string, at: number, step: number, end: 'played' | 'interrupted' | 'failed' = 'played') {
  a.send({ type: 'decision.made', at: at + 1, respond: true, reason: 'mention', input: 'chat', triggerId: `m-${id}` });
  a.send({ type: 'reply.started', at: at + step, replyId: id, triggerId: `m-${id}`, platform: 'twitch', messageAt: at, tokensIn: 812 });
  a.send({ type: 'reply.reached', at: at + 2 * step, replyId: id, stage: 'llm' });
  a.send({ type: 'reply.emotionNoted', replyId: id, emotion: 'happy' });
  a.send({ type: 'reply.reached', at: at + 3 * step, replyId: id, stage: 'sentence' });
  a.send({ type: 'reply.reached', at: at + 4 * step, replyId: id, stage: 'tts' });
  a.send({ type: 'reply.reached', at: at + 5 * step, replyId: id, stage: 'audio' });
  a.send({ type: 'reply.written', replyId: id, emotion: 'happy', tokens: 41 });
  if (end === 'failed') a.send({ type: 'reply.failureNoted', at: at + 6 * step, replyId: id, reason: 'replaced' });
  else a.send({ type: 'reply.played', at: at + 6 * step, replyId: id, interrupted: end === 'interrupted' });
}

describe('analytics: what a stream is and what it counts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a stream begins at Pickle's start, closes a minute line every minute and ends when Pickle stops", () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    expect(s.of('stream')).toEqual([{ k: 'stream', v: 1, id: '20261207-201500-042', t: T0, reason: 'start' }]);
    expect(STREAM_ID_RE.test(streamIdOf(T0))).toBe(true);
    s.actor.send({ type: 'chat.tally', lines: [{ platform: 'twitch', user: 'alice' }, { platform: 'twitch', user: 'alice' }, { platform: 'youtube', user: 'bob' }] });
    s.actor.send({ type: 'process.sampled', rssMb: 210, cpuPct: 12, memories: 40 });
    vi.advanceTimersByTime(59_999);
    expect(s.of('minute')).toEqual([]);
    vi.advanceTimersByTime(1);
    const [m0] = s.of('minute');
    expect(m0).toMatchObject({ i: 0, t: T0, chat: { twitch: 2, youtube: 1 }, chatters: { twitch: 1, youtube: 1 }, memories: 40, rssMb: 210, cpuPct: 12 });
    expect(s.of('engaged').at(-1)?.top).toEqual([{ viewer: 'twitch:alice', messages: 2 }, { viewer: 'youtube:bob', messages: 1 }]);
    vi.advanceTimersByTime(60_000);
    expect(s.of('minute').map((m) => m.i)).toEqual([0, 1]);
    // The second minute starts from no chat; the last sample stands until a new one comes.
    expect(s.of('minute')[1]).toMatchObject({ t: T0 + 60_000, chat: {}, chatters: {}, rssMb: 210, cpuPct: null });
    s.actor.send({ type: 'analytics.close', at: T0 + 130_000 });
    expect(s.lines.at(-1)?.line).toEqual({ k: 'end', t: T0 + 130_000, reason: 'stop' });
    expect(s.of('minute').map((m) => m.i)).toEqual([0, 1, 2]);
    expect(s.actor.getSnapshot().status).toBe('done');
    vi.advanceTimersByTime(600_000);
    expect(s.of('minute')).toHaveLength(3);
  });

  it('going live ends the stream begun at start and begins the live one; a repeated online changes nothing; offline ends it', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send({ type: 'stream.online', platform: 'twitch', at: T0 + 5_000 });
    expect(s.of('end')).toEqual([{ k: 'end', t: T0 + 5_000, reason: 'live' }]);
    expect(s.of('stream').map((l) => l.reason)).toEqual(['start', 'online']);
    s.actor.send({ type: 'stream.online', platform: 'twitch', at: T0 + 6_000 });
    expect(s.of('stream')).toHaveLength(2);
    const live = s.of('stream')[1]!.id;
    s.actor.send({ type: 'stream.offline', platform: 'twitch', at: T0 + 90_000 });
    expect(s.lines.filter((l) => l.streamId === live).at(-1)?.line).toEqual({ k: 'end', t: T0 + 90_000, reason: 'offline' });
    // Offline: nothing is counted, no minute closes, until the channel is live again.
    s.actor.send({ type: 'chat.tally', lines: [{ platform: 'twitch', user: 'carol' }] });
    const before = s.lines.length;
    vi.advanceTimersByTime(300_000);
    expect(s.lines).toHaveLength(before);
    s.actor.send({ type: 'stream.online', platform: 'youtube', at: T0 + 400_000 });
    expect(s.of('stream').at(-1)).toMatchObject({ reason: 'online', platform: 'youtube' });
  });

  it('a reply: consecutive stages that add up to the total, tokens, emotion, blocked sentences and its outcome', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send({ type: 'reply.blocked', replyId: 'r1', category: 'insult' });
    reply(s.actor, 'r1', T0 + 1_000, 100);
    const [r] = s.of('reply');
    expect(r).toMatchObject({
      replyId: 'r1',
      trigger: { platform: 'twitch', kind: 'chat', addressed: true },
      totalMs: 500,
      stages: { queue: 100, llm: 100, sentence: 100, tts: 100, audio: 100 },
      tokensIn: 812,
      tokensOut: 41,
      emotion: 'happy',
      outcome: 'spoken',
    });
    s.actor.send({ type: 'reply.started', at: T0 + 3_000, replyId: 'r2' });
    s.actor.send({ type: 'reply.blocked', replyId: 'r2', category: 'insult' });
    s.actor.send({ type: 'reply.blocked', replyId: 'r2', category: 'personal-data' });
    s.actor.send({ type: 'reply.failureNoted', at: T0 + 3_500, replyId: 'r2', reason: 'blocked' });
    const r2 = s.of('reply')[1]!;
    expect(r2).toMatchObject({ outcome: 'dropped', reason: 'blocked', totalMs: null, stages: null, blocked: { insult: 1, 'personal-data': 1 }, trigger: { platform: null, addressed: false } });
    vi.advanceTimersByTime(60_000);
    expect(s.of('minute')[0]).toMatchObject({ replies: 1, mentions: { answered: 1, dropped: {} } });
  });

  it('cut by the streamer talking is a barge-in, by a skip is skipped; a reply that never ended is closed with the stream', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send({ type: 'reply.started', at: T0 + 10, replyId: 'a' });
    s.actor.send({ type: 'reply.reached', at: T0 + 20, replyId: 'a', stage: 'audio' });
    s.actor.send({ type: 'reply.cut', cause: 'barge-in' });
    s.actor.send({ type: 'reply.played', at: T0 + 30, replyId: 'a', interrupted: true });
    s.actor.send({ type: 'reply.started', at: T0 + 40, replyId: 'b' });
    s.actor.send({ type: 'reply.reached', at: T0 + 50, replyId: 'b', stage: 'audio' });
    s.actor.send({ type: 'reply.cut', cause: 'skip' });
    s.actor.send({ type: 'reply.played', at: T0 + 60, replyId: 'b', interrupted: true });
    s.actor.send({ type: 'reply.started', at: T0 + 70, replyId: 'c' });
    s.actor.send({ type: 'reply.failureNoted', at: T0 + 80, replyId: 'c', reason: 'skipped' });
    s.actor.send({ type: 'reply.started', at: T0 + 90, replyId: 'd' });
    s.actor.send({ type: 'analytics.close', at: T0 + 100 });
    expect(s.of('reply').map((r) => [r.replyId, r.outcome, r.reason])).toEqual([
      ['a', 'barged-in', undefined],
      ['b', 'skipped', undefined],
      ['c', 'skipped', undefined],
      ['d', 'dropped', 'unfinished'],
    ]);
    // Without TTS (captions only) the tts stage is 0 and the stages still add up.
    const a = s.of('reply')[0] as ReplyLine;
    expect(a.stages).toEqual({ queue: 0, llm: 0, sentence: 0, tts: 0, audio: 10 });
  });

  it('mentions answered and dropped by reason; not-addressed decisions are not mentions', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    for (const reason of ['stale', 'stale', 'queue-full', 'not-addressed', 'busy'] as const) s.actor.send({ type: 'decision.made', at: T0, respond: false, reason, input: 'chat' });
    s.actor.send({ type: 'decision.made', at: T0, respond: true, reason: 'redemption', input: 'chat' });
    s.actor.send({ type: 'decision.made', at: T0, respond: true, reason: 'spontaneous', input: 'chat' });
    s.actor.send({ type: 'service.changed', at: T0 + 5, service: 'llm', state: 'down', fault: 'retryable' });
    vi.advanceTimersByTime(60_000);
    const m = s.of('minute')[0] as MinuteLine;
    expect(m.mentions).toEqual({ answered: 1, dropped: { stale: 2, 'queue-full': 1 } });
    expect(m.services).toEqual([{ t: T0 + 5, service: 'llm', state: 'down', fault: 'retryable' }]);
  });

  it('!forgetme: the viewer leaves the engaged table at once, and the adapter is told to remove them from what is stored', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send({ type: 'chat.tally', lines: [{ platform: 'twitch', user: 'alice' }, { platform: 'twitch', user: 'bob' }] });
    s.actor.send({ type: 'viewer.forgotten', viewer: 'alice' });
    expect(s.forgets).toEqual(['alice']);
    vi.advanceTimersByTime(60_000);
    expect(s.of('engaged').at(-1)?.top).toEqual([{ viewer: 'twitch:bob', messages: 1 }]);
  });

  it('stages never go negative when a moment comes out of order, and still add up', () => {
    const t = stagesOf({ origin: 1000, start: 1200, reached: { llm: 1100, sentence: 1500.6, audio: 1400 } });
    expect(t).toEqual({ totalMs: 501, stages: { queue: 200, llm: 0, sentence: 301, tts: 0, audio: 0 } });
  });
});
