import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { analyticsMachine, type AnalyticsEmitted, type AnalyticsRouted } from '../../machines/analytics/machine.ts';
import { ARRIVALS_KEPT } from '../../machines/analytics/arrivals.ts';
import { streamIdOf, STREAM_ID_RE, type MinuteLine, type ReplyLine, type StreamLine } from '../../machines/analytics/records.ts';
import { stagesOf } from '../../machines/analytics/replies.ts';
import type { ChatMessage, ChatPlatform, DecisionReason, InputKind } from '../../machines/events.ts';

const T0 = Date.UTC(2026, 11, 7, 20, 15, 0, 42);

/** The events as the orchestrator routes them (full shapes, as the other machines send them). */
const ev = {
  line: (platform: ChatPlatform, user: string, id: string, ts: number, text = 'hi'): ChatMessage => ({ platform, id, user, displayName: user, text, role: 'viewer', ts }),
  /** One line as the chat machine passes it on: a batch of one. */
  chat: (platform: ChatPlatform, user: string, id: string, ts: number): AnalyticsRouted => ({ type: 'chat.batch', messages: [ev.line(platform, user, id, ts)], flush: 'size' }),
  decision: (respond: boolean, reason: DecisionReason, ts: number, triggerId?: string, input: InputKind = 'chat'): AnalyticsRouted => ({
    type: 'brain.decision',
    decision: { input, respond, reason, summary: '', ts, ...(triggerId ? { triggerId } : {}) },
  }),
  start: (replyId: string, ts?: number, triggerId?: string, promptTokens?: number): AnalyticsRouted => ({
    type: 'reply.start',
    replyId,
    prompt: [],
    ...(ts !== undefined ? { ts } : {}),
    ...(triggerId ? { triggerId } : {}),
    ...(promptTokens !== undefined ? { promptTokens } : {}),
  }),
  heard: (replyId: string, index: number, first: boolean, ts?: number): AnalyticsRouted => ({ type: 'voice.sentenceStarted', replyId, index, text: 'x', first, ...(ts !== undefined ? { ts } : {}) }),
  played: (replyId: string, interrupted: boolean): AnalyticsRouted => ({ type: 'voice.done', replyId, spokenText: 'x', interrupted }),
  failed: (replyId: string, reason: DecisionReason): AnalyticsRouted => ({ type: 'reply.failed', replyId, reason, detail: '' }),
};

function run(minuteMs = 60_000) {
  const actor = createActor(analyticsMachine, { input: { minuteMs, tallyMs: 1000 } });
  const lines: Array<{ streamId: string; line: StreamLine }> = [];
  const forgets: string[] = [];
  actor.on('analytics.line', (e: Extract<AnalyticsEmitted, { type: 'analytics.line' }>) => lines.push({ streamId: e.streamId, line: e.line }));
  actor.on('analytics.forget', (e) => forgets.push(e.viewer));
  actor.start();
  const of = <K extends StreamLine['k']>(k: K) => lines.map((l) => l.line).filter((l): l is Extract<StreamLine, { k: K }> => l.k === k);
  return { actor, lines, forgets, of };
}

/** One reply through all its stages, each moment with its own time: message at `at`, each stage `step` ms later. */
function reply(a: ReturnType<typeof run>['actor'], id: string, at: number, step: number) {
  a.send(ev.chat('twitch', 'alice', `m-${id}`, at));
  a.send(ev.decision(true, 'mention', at + 1, `m-${id}`));
  a.send(ev.start(id, at + step, `m-${id}`, 812));
  a.send({ type: 'reply.firstToken', replyId: id, ts: at + 2 * step });
  a.send({ type: 'reply.emotion', replyId: id, emotion: 'happy' });
  a.send({ type: 'reply.sentence', replyId: id, index: 0, text: 'x', emotion: 'happy', ts: at + 3 * step });
  // Later sentences are not stages.
  a.send({ type: 'reply.sentence', replyId: id, index: 1, text: 'y', emotion: 'happy', ts: at + 9 * step });
  a.send({ type: 'voice.firstByte', replyId: id, ts: at + 4 * step });
  a.send(ev.heard(id, 0, true, at + 5 * step));
  a.send(ev.heard(id, 1, false, at + 9 * step));
  a.send({ type: 'reply.done', replyId: id, text: 'x y', emotion: 'happy', tokens: 41 });
  a.send(ev.played(id, false));
}

describe('analytics: what a stream is and what it counts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('chat is counted from what the chat machine passes on: a batch\'s lines, each duplicate and bot line it set apart, each command', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    const batch = [ev.line('twitch', 'alice', 'b1', T0 + 1), { ...ev.line('twitch', 'bob', 'b2', T0 + 2, 'spam'), repeats: 3 }, ev.line('kick', 'alice', 'b3', T0 + 3)];
    s.actor.send({ type: 'chat.batch', messages: batch, flush: 'size' });
    // The two repeats of bob's line arrived as duplicates, one from carol.
    s.actor.send({ type: 'chat.ignored', reason: 'duplicate', message: ev.line('twitch', 'bob', 'd1', T0 + 4, 'spam') });
    s.actor.send({ type: 'chat.ignored', reason: 'duplicate', message: ev.line('twitch', 'carol', 'd2', T0 + 5, 'spam') });
    s.actor.send({ type: 'chat.ignored', reason: 'bot', message: ev.line('twitch', 'nightbot', 'n1', T0 + 6) });
    s.actor.send({ type: 'chat.command', command: 'recap', args: [], message: ev.line('youtube', 'dan', 'c1', T0 + 7, '!recap') });
    vi.advanceTimersByTime(60_000);
    const [m0] = s.of('minute');
    expect(m0).toMatchObject({ chat: { twitch: 5, kick: 1, youtube: 1 }, chatters: { twitch: 4, kick: 1, youtube: 1 } });
  });

  it("a stream begins at Pickle's start, closes a minute line every minute and ends when Pickle stops", () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    expect(s.of('stream')).toEqual([{ k: 'stream', v: 1, id: '20261207-201500-042', t: T0, reason: 'start' }]);
    expect(STREAM_ID_RE.test(streamIdOf(T0))).toBe(true);
    s.actor.send(ev.chat('twitch', 'alice', '1', T0 + 1));
    s.actor.send(ev.chat('twitch', 'alice', '2', T0 + 2));
    s.actor.send(ev.chat('youtube', 'bob', '3', T0 + 3));
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
    s.actor.send({ type: 'stream.online', platform: 'twitch', ts: T0 + 5_000 });
    expect(s.of('end')).toEqual([{ k: 'end', t: T0 + 5_000, reason: 'live' }]);
    expect(s.of('stream').map((l) => l.reason)).toEqual(['start', 'online']);
    expect(s.of('stream')[1]).toMatchObject({ t: T0 + 5_000, platform: 'twitch' });
    s.actor.send({ type: 'stream.online', platform: 'twitch', ts: T0 + 6_000 });
    expect(s.of('stream')).toHaveLength(2);
    const live = s.of('stream')[1]!.id;
    s.actor.send({ type: 'stream.offline', platform: 'twitch', ts: T0 + 90_000 });
    expect(s.lines.filter((l) => l.streamId === live).at(-1)?.line).toEqual({ k: 'end', t: T0 + 90_000, reason: 'offline' });
    // Offline: nothing is counted, no minute closes, until the channel is live again.
    s.actor.send(ev.chat('twitch', 'carol', 'c1', T0 + 91_000));
    const before = s.lines.length;
    vi.advanceTimersByTime(300_000);
    expect(s.lines).toHaveLength(before);
    s.actor.send({ type: 'stream.online', platform: 'youtube', ts: T0 + 400_000 });
    expect(s.of('stream').at(-1)).toMatchObject({ reason: 'online', platform: 'youtube' });
  });

  it('a reply: consecutive stages that add up to the total, tokens, emotion, blocked sentences and its outcome', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send({ type: 'reply.blocked', replyId: 'r1', category: 'insult', layer: 'bound' });
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
    s.actor.send(ev.start('r2', T0 + 3_000));
    s.actor.send({ type: 'reply.blocked', replyId: 'r2', category: 'insult', layer: 'bound' });
    s.actor.send({ type: 'reply.blocked', replyId: 'r2', category: 'personal-data', layer: 'personalData' });
    s.actor.send(ev.failed('r2', 'blocked'));
    const r2 = s.of('reply')[1]!;
    expect(r2).toMatchObject({ outcome: 'dropped', reason: 'blocked', totalMs: null, stages: null, blocked: { insult: 1, 'personal-data': 1 }, trigger: { platform: null, addressed: false } });
    vi.advanceTimersByTime(60_000);
    expect(s.of('minute')[0]).toMatchObject({ replies: 1, mentions: { answered: 1, dropped: {} } });
  });

  it('cut by the streamer talking is a barge-in, by a skip is skipped; a reply that never ended is closed with the stream', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send(ev.start('a', T0 + 10));
    s.actor.send(ev.heard('a', 0, true, T0 + 20));
    s.actor.send({ type: 'speech.started', ts: T0 + 25 });
    s.actor.send(ev.played('a', true));
    s.actor.send(ev.start('b', T0 + 40));
    s.actor.send(ev.heard('b', 0, true, T0 + 50));
    s.actor.send({ type: 'chat.command', command: 'skip', args: [], message: { platform: 'twitch', id: 'k', user: 'mod', displayName: 'mod', text: '!skip', role: 'moderator', ts: T0 + 55 } });
    s.actor.send(ev.played('b', true));
    s.actor.send(ev.start('c', T0 + 70));
    s.actor.send(ev.failed('c', 'skipped'));
    s.actor.send(ev.start('e', T0 + 80));
    s.actor.send(ev.heard('e', 0, true, T0 + 85));
    s.actor.send({ type: 'brain.mute' });
    s.actor.send(ev.played('e', true));
    s.actor.send(ev.start('d', T0 + 90));
    s.actor.send({ type: 'analytics.close', at: T0 + 100 });
    expect(s.of('reply').map((r) => [r.replyId, r.outcome, r.reason])).toEqual([
      ['a', 'barged-in', undefined],
      ['b', 'skipped', undefined],
      ['c', 'skipped', undefined],
      ['e', 'skipped', undefined],
      ['d', 'dropped', 'unfinished'],
    ]);
    // Without TTS (captions only) the tts stage is 0 and the stages still add up.
    const a = s.of('reply')[0] as ReplyLine;
    expect(a.stages).toEqual({ queue: 0, llm: 0, sentence: 0, tts: 0, audio: 10 });
  });

  it('a moment that came without its time is not timed, but a reply heard without one still counts as heard', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send(ev.chat('twitch', 'alice', 'm1', T0 + 100));
    s.actor.send(ev.decision(true, 'mention', T0 + 100, 'm1'));
    s.actor.send(ev.start('r', T0 + 300, 'm1'));
    s.actor.send({ type: 'reply.firstToken', replyId: 'r', ts: T0 + 700 });
    s.actor.send({ type: 'reply.sentence', replyId: 'r', index: 0, text: 'x', emotion: 'neutral' });
    s.actor.send(ev.heard('r', 0, true));
    s.actor.send(ev.played('r', false));
    expect(s.of('reply')[0]).toMatchObject({ trigger: { platform: 'twitch', addressed: true }, totalMs: 600, stages: { queue: 200, llm: 400, sentence: 0, tts: 0, audio: 0 }, outcome: 'spoken' });
    vi.advanceTimersByTime(60_000);
    expect(s.of('minute')[0]).toMatchObject({ replies: 1 });
  });

  it('a reply waits from the message it answers, found among the last lines seen (kept by id, bounded)', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send(ev.chat('youtube', 'bob', 'old', T0 + 10));
    for (let i = 0; i < ARRIVALS_KEPT; i++) s.actor.send(ev.chat('twitch', `v${i % 50}`, `n${i}`, T0 + 20));
    vi.advanceTimersByTime(1_000);
    s.actor.send(ev.chat('kick', 'carl', 'fresh', T0 + 1_500));
    s.actor.send(ev.start('r1', T0 + 2_000, 'fresh'));
    s.actor.send(ev.start('r2', T0 + 2_000, 'n5'));
    // One line more than kept: the oldest is forgotten, its reply's wait is not known.
    s.actor.send(ev.start('r3', T0 + 2_000, 'old'));
    for (const id of ['r1', 'r2', 'r3']) {
      s.actor.send(ev.heard(id, 0, true, T0 + 2_100));
      s.actor.send(ev.played(id, false));
    }
    expect(s.of('reply').map((r) => [r.replyId, r.trigger.platform, r.stages?.queue])).toEqual([
      ['r1', 'kick', 500],
      ['r2', 'twitch', 1_980],
      ['r3', null, 0],
    ]);
  });

  it('chat is tallied a second at a time, into the minute it came in; the last moment counts when the stream ends', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send(ev.chat('twitch', 'alice', '1', T0));
    vi.advanceTimersByTime(999);
    expect(s.actor.getSnapshot().context.tally.chat).toEqual({});
    vi.advanceTimersByTime(1);
    expect(s.actor.getSnapshot().context.tally.chat).toEqual({ twitch: 1 });
    s.actor.send(ev.chat('twitch', 'bob', '2', T0 + 1_500));
    s.actor.send({ type: 'analytics.close', at: T0 + 1_600 });
    expect(s.of('minute')[0]).toMatchObject({ chat: { twitch: 2 }, chatters: { twitch: 2 } });
  });

  it('mentions answered and dropped by reason; not-addressed decisions are not mentions', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    for (const reason of ['stale', 'stale', 'queue-full', 'not-addressed', 'busy'] as const) s.actor.send(ev.decision(false, reason, T0));
    s.actor.send(ev.decision(true, 'redemption', T0));
    s.actor.send(ev.decision(true, 'spontaneous', T0));
    // The streamer answered is not a chat mention answered.
    s.actor.send(ev.decision(true, 'streamer', T0, undefined, 'speech'));
    s.actor.send({ type: 'service.changed', at: T0 + 5, service: 'llm', state: 'down', fault: 'retryable' });
    vi.advanceTimersByTime(60_000);
    const m = s.of('minute')[0] as MinuteLine;
    expect(m.mentions).toEqual({ answered: 1, dropped: { stale: 2, 'queue-full': 1 } });
    expect(m.services).toEqual([{ t: T0 + 5, service: 'llm', state: 'down', fault: 'retryable' }]);
  });

  it('!forgetme: the viewer leaves the engaged table at once, and the adapter is told to remove them from what is stored', () => {
    const s = run();
    s.actor.send({ type: 'analytics.open', at: T0 });
    s.actor.send(ev.chat('twitch', 'alice', '1', T0));
    s.actor.send(ev.chat('kick', 'alice', '2', T0));
    s.actor.send(ev.chat('twitch', 'bob', '3', T0));
    vi.advanceTimersByTime(1_000);
    s.actor.send(ev.chat('twitch', 'carol', '4', T0 + 1_000));
    s.actor.send({ type: 'chat.command', command: 'forgetme', args: [], message: { platform: 'twitch', id: '5', user: 'carol', displayName: 'carol', text: '!forgetme', role: 'viewer', ts: T0 + 1_100 } });
    s.actor.send({ type: 'viewer.forget', login: 'twitch:alice' });
    expect(s.forgets).toEqual(['twitch:carol', 'twitch:alice']);
    vi.advanceTimersByTime(60_000);
    expect(s.of('engaged').at(-1)?.top).toEqual([
      { viewer: 'kick:alice', messages: 1 },
      { viewer: 'twitch:bob', messages: 1 },
    ]);
  });

  it('stages never go negative when a moment comes out of order, and still add up', () => {
    const t = stagesOf({ origin: 1000, start: 1200, heard: true, reached: { llm: 1100, sentence: 1500.6, audio: 1400 } });
    expect(t).toEqual({ totalMs: 501, stages: { queue: 200, llm: 0, sentence: 301, tts: 0, audio: 0 } });
  });
});
