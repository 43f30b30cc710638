import { assertEvent, enqueueActions, setup } from 'xstate';
import type { ChatPlatform, DecisionReason, Emotion, InputKind, ServiceName, ServiceState } from '../events.ts';
import type { ModerationCategory } from '../moderation/types.ts';
import { ANSWERS, MENTION_DROPS, streamIdOf, type StreamLine } from './records.ts';
import { emptyMinute, engagedLine, forgetViewer, minuteLine, tallyChat, type ChatSeen, type EngagedTable, type MinuteTally } from './minute.ts';
import { failedOutcome, playedOutcome, toLine, type OpenReply, type ReachedStage } from './replies.ts';

/**
 * Analytics: what a stream is and what it counts. A stream starts when Pickle starts
 * (`analytics.open`) or the channel goes live (`stream.online`), and ends when it goes offline
 * or Pickle stops (`analytics.close`). While it runs, every `minute` closes a minute line, and
 * each reply becomes a line once its outcome is known. The machine emits the lines
 * (`analytics.line`) and the viewers to remove from what is stored (`analytics.forget`); the
 * adapter (src/analytics) only writes them. Every fact carries `at`, the adapter's clock (ms
 * since the epoch); CPU and RSS come in as samples.
 */

export interface AnalyticsInput {
  /** A minute's length (tests shorten it). Default 60 000. */
  minuteMs?: number;
}

export type AnalyticsEvent =
  | { type: 'analytics.open'; at: number }
  | { type: 'analytics.close'; at: number }
  | { type: 'stream.online'; platform: ChatPlatform; at: number }
  | { type: 'stream.offline'; platform: ChatPlatform; at: number }
  /** The chat lines of the last moment, gathered by the adapter. */
  | { type: 'chat.tally'; lines: ChatSeen[] }
  | { type: 'decision.made'; at: number; respond: boolean; reason: DecisionReason; input: InputKind; triggerId?: string }
  /** `platform`/`messageAt`: the message answered, when it was chat the adapter saw arrive. */
  | { type: 'reply.started'; at: number; replyId: string; triggerId?: string; platform?: ChatPlatform; messageAt?: number; tokensIn?: number }
  | { type: 'reply.reached'; at: number; replyId: string; stage: ReachedStage }
  | { type: 'reply.emotionNoted'; replyId: string; emotion: Emotion }
  | { type: 'reply.written'; replyId: string; emotion: Emotion; tokens?: number }
  | { type: 'reply.blocked'; replyId: string; category: ModerationCategory }
  | { type: 'reply.cut'; cause: 'skip' | 'barge-in' | 'mute' }
  | { type: 'reply.failureNoted'; at: number; replyId: string; reason: DecisionReason }
  | { type: 'reply.played'; at: number; replyId: string; interrupted: boolean }
  | { type: 'process.sampled'; rssMb: number; cpuPct: number; memories: number | null }
  | { type: 'service.changed'; at: number; service: ServiceName; state: ServiceState; fault?: string }
  | { type: 'viewer.forgotten'; viewer: string };

export type AnalyticsEmitted =
  | { type: 'analytics.line'; streamId: string; line: StreamLine }
  | { type: 'analytics.forget'; viewer: string };

interface Current {
  id: string;
  start: number;
  minute: number;
  reason: 'start' | 'online';
}

export interface AnalyticsContext {
  minuteMs: number;
  stream: Current | undefined;
  tally: MinuteTally;
  engaged: EngagedTable;
  engagedDirty: boolean;
  replies: OpenReply[];
  /** The last decision to answer, for the trigger of the reply that follows it. */
  answer: { at: number; reason: DecisionReason; input: InputKind; triggerId?: string } | undefined;
}

/** Replies followed at once; an older one that never ended is closed as `unfinished`. */
const OPEN_REPLIES = 8;

const quiet = (): Pick<AnalyticsContext, 'tally' | 'engaged' | 'engagedDirty' | 'replies' | 'answer'> => ({ tally: emptyMinute(), engaged: new Map(), engagedDirty: false, replies: [], answer: undefined });

export const analyticsMachine = setup({
  types: {
    input: {} as AnalyticsInput,
    context: {} as AnalyticsContext,
    events: {} as AnalyticsEvent,
    emitted: {} as AnalyticsEmitted,
  },
  delays: {
    minute: ({ context }) => context.minuteMs,
  },
  guards: {
    startedByPickle: ({ context }) => context.stream?.reason === 'start',
  },
  actions: {
    open: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, ['analytics.open', 'stream.online']);
      const id = streamIdOf(event.at);
      enqueue.assign({ stream: { id, start: event.at, minute: 0, reason: event.type === 'stream.online' ? 'online' : 'start' }, ...quiet() });
      const line: StreamLine = event.type === 'stream.online' ? { k: 'stream', v: 1, id, t: event.at, reason: 'online', platform: event.platform } : { k: 'stream', v: 1, id, t: event.at, reason: 'start' };
      enqueue.emit({ type: 'analytics.line', streamId: id, line });
    }),
    /** The minute's line (and the engaged table when it changed). */
    closeMinute: enqueueActions(({ context, enqueue }) => {
      const s = context.stream;
      if (!s) return;
      const t = s.start + s.minute * context.minuteMs;
      enqueue.emit({ type: 'analytics.line', streamId: s.id, line: minuteLine(context.tally, s.minute, t) });
      if (context.engagedDirty) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: engagedLine(context.engaged, t + context.minuteMs) });
      enqueue.assign({ stream: { ...s, minute: s.minute + 1 }, tally: { ...emptyMinute(), memories: context.tally.memories, rssMb: context.tally.rssMb }, engagedDirty: false });
    }),
    /** The stream ends: replies still under way, the last (partial) minute, the end. */
    close: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['analytics.close', 'stream.offline', 'stream.online']);
      const s = context.stream;
      if (!s) return;
      for (const r of context.replies) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: toLine(r, 'dropped', 'unfinished') });
      const t = s.start + s.minute * context.minuteMs;
      enqueue.emit({ type: 'analytics.line', streamId: s.id, line: minuteLine(context.tally, s.minute, t) });
      if (context.engagedDirty) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: engagedLine(context.engaged, event.at) });
      const reason = event.type === 'analytics.close' ? 'stop' : event.type === 'stream.offline' ? 'offline' : 'live';
      enqueue.emit({ type: 'analytics.line', streamId: s.id, line: { k: 'end', t: event.at, reason } });
      enqueue.assign({ stream: undefined, ...quiet() });
    }),
    tallyChat: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'chat.tally');
      if (event.lines.length === 0) return;
      const next = tallyChat(context.tally, context.engaged, event.lines);
      enqueue.assign({ tally: next.minute, engaged: next.engaged, engagedDirty: true });
    }),
    decide: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'decision.made');
      if (event.respond) {
        enqueue.assign({ answer: { at: event.at, reason: event.reason, input: event.input, ...(event.triggerId ? { triggerId: event.triggerId } : {}) } });
        if (ANSWERS.has(event.reason) && event.input !== 'speech') enqueue.assign({ tally: { ...context.tally, answered: context.tally.answered + 1 } });
      } else if (MENTION_DROPS.has(event.reason)) {
        const dropped = { ...context.tally.dropped, [event.reason]: (context.tally.dropped[event.reason] ?? 0) + 1 };
        enqueue.assign({ tally: { ...context.tally, dropped } });
      }
    }),
    startReply: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.started');
      const s = context.stream;
      if (!s) return;
      const a = context.answer && (event.triggerId === undefined || context.answer.triggerId === event.triggerId) ? context.answer : undefined;
      const reply: OpenReply = {
        replyId: event.replyId,
        trigger: { platform: event.platform ?? null, kind: a?.input ?? 'chat', addressed: a ? ANSWERS.has(a.reason) : false },
        origin: Math.min(event.at, event.messageAt ?? a?.at ?? event.at),
        start: event.at,
        reached: {},
        tokensIn: event.tokensIn ?? null,
        tokensOut: null,
        emotion: null,
        blocked: {},
      };
      const open = [...context.replies, reply];
      for (const old of open.splice(0, Math.max(0, open.length - OPEN_REPLIES))) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: toLine(old, 'dropped', 'unfinished') });
      enqueue.assign({ replies: open, answer: undefined });
    }),
    reach: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.reached');
      const r = context.replies.find((x) => x.replyId === event.replyId);
      if (!r || r.reached[event.stage] !== undefined) return;
      enqueue.assign({ replies: context.replies.map((x) => (x === r ? { ...r, reached: { ...r.reached, [event.stage]: event.at } } : x)) });
      if (event.stage === 'audio') enqueue.assign({ tally: { ...context.tally, replies: context.tally.replies + 1 } });
    }),
    note: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['reply.emotionNoted', 'reply.written', 'reply.blocked']);
      const r = context.replies.find((x) => x.replyId === event.replyId);
      if (!r) return;
      const next: OpenReply =
        event.type === 'reply.blocked'
          ? { ...r, blocked: { ...r.blocked, [event.category]: (r.blocked[event.category] ?? 0) + 1 } }
          : { ...r, emotion: event.emotion, ...(event.type === 'reply.written' && event.tokens !== undefined ? { tokensOut: event.tokens } : {}) };
      enqueue.assign({ replies: context.replies.map((x) => (x === r ? next : x)) });
    }),
    /** What cut the reply being heard (the one that reached audio last). */
    cut: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.cut');
      const heard = [...context.replies].reverse().find((x) => x.reached.audio !== undefined);
      if (heard) enqueue.assign({ replies: context.replies.map((x) => (x === heard ? { ...x, cut: event.cause } : x)) });
    }),
    finish: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['reply.failureNoted', 'reply.played']);
      const s = context.stream;
      const r = context.replies.find((x) => x.replyId === event.replyId);
      if (!s || !r) return;
      const line = event.type === 'reply.played' ? toLine(r, playedOutcome(r, event.interrupted)) : toLine(r, failedOutcome(event.reason), event.reason === 'skipped' ? undefined : event.reason);
      enqueue.emit({ type: 'analytics.line', streamId: s.id, line });
      enqueue.assign({ replies: context.replies.filter((x) => x !== r) });
    }),
    sample: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'process.sampled');
      const t = context.tally;
      enqueue.assign({ tally: { ...t, rssMb: event.rssMb, memories: event.memories, cpuSum: t.cpuSum + event.cpuPct, cpuSamples: t.cpuSamples + 1 } });
    }),
    serviceChanged: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'service.changed');
      const change = { t: event.at, service: event.service, state: event.state, ...(event.fault ? { fault: event.fault } : {}) };
      enqueue.assign({ tally: { ...context.tally, services: [...context.tally.services, change] } });
    }),
    forget: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'viewer.forgotten');
      enqueue.assign({ engaged: forgetViewer(context.engaged, event.viewer) });
      enqueue.emit({ type: 'analytics.forget', viewer: event.viewer });
    }),
  },
}).createMachine({
  id: 'analytics',
  context: ({ input }) => ({ minuteMs: input.minuteMs ?? 60_000, stream: undefined, ...quiet() }),
  initial: 'idle',
  on: {
    // What is stored is forgotten whether or not a stream runs.
    'viewer.forgotten': { actions: 'forget' },
    'analytics.close': { actions: 'close', target: '.stopped' },
  },
  states: {
    // No stream: the channel went offline (Pickle waits for it to go live again).
    idle: {
      on: {
        'analytics.open': { actions: 'open', target: 'recording' },
        'stream.online': { actions: 'open', target: 'recording' },
      },
    },
    recording: {
      initial: 'minute',
      states: {
        minute: {
          after: { minute: { actions: 'closeMinute', target: 'minute', reenter: true } },
        },
      },
      on: {
        // Going live ends the stream Pickle's start began (if it was not already the live one) and begins the live one.
        'stream.online': { guard: 'startedByPickle', actions: ['close', 'open'], target: 'recording', reenter: true },
        'stream.offline': { actions: 'close', target: 'idle' },
        'chat.tally': { actions: 'tallyChat' },
        'decision.made': { actions: 'decide' },
        'reply.started': { actions: 'startReply' },
        'reply.reached': { actions: 'reach' },
        'reply.emotionNoted': { actions: 'note' },
        'reply.written': { actions: 'note' },
        'reply.blocked': { actions: 'note' },
        'reply.cut': { actions: 'cut' },
        'reply.failureNoted': { actions: 'finish' },
        'reply.played': { actions: 'finish' },
        'process.sampled': { actions: 'sample' },
        'service.changed': { actions: 'serviceChanged' },
      },
    },
    stopped: { type: 'final' },
  },
});
