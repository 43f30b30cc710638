import { assertEvent, enqueueActions, setup } from 'xstate';
import type { DecisionReason, InputKind, PickleEvent, ServiceName, ServiceState } from '../events.ts';
import { ANSWERS, MENTION_DROPS, countsForAnalytics, streamIdOf, type StreamLine } from './records.ts';
import { emptyMinute, engagedLine, forgetViewer, matchesViewer, minuteLine, tallyChat, type EngagedTable, type MinuteTally } from './minute.ts';
import { failedOutcome, playedOutcome, toLine, type OpenReply, type ReachedStage } from './replies.ts';
import { arrivalOf, keepArrivals, see, seenLines, seenOf, type ArrivalTable, type SeenLines } from './arrivals.ts';

/**
 * Analytics: what a stream is and what it counts. A stream starts when Pickle starts
 * (`analytics.open`) or the channel goes live (`stream.online`), and ends when it goes offline
 * or Pickle stops (`analytics.close`). While it runs, every `minute` closes a minute line, and
 * each reply becomes a line once its outcome is known. The orchestrator routes it the events it
 * counts (ROUTES); its adapter (src/analytics) reports only what it alone sees (Pickle's start
 * and stop, CPU/RSS samples, service changes) and writes the lines the machine emits
 * (`analytics.line`) and the viewers to remove from them (`analytics.forget`). Times are the
 * facts' own `ts` (ms since the epoch, stamped by the adapter that saw them); a moment that
 * came without one is not timed. Chat is tallied a second at a time, so a flood costs one
 * step a second.
 */

export interface AnalyticsInput {
  /** A minute's length (tests shorten it). Default 60 000. */
  minuteMs?: number;
  /** How often the chat seen is tallied. Default 1 000. */
  tallyMs?: number;
}

/** What only the adapter sees: Pickle's start and stop (its clock), the process, the status board. */
export type AnalyticsFact =
  | { type: 'analytics.open'; at: number }
  | { type: 'analytics.close'; at: number }
  | { type: 'process.sampled'; rssMb: number; cpuPct: number; memories: number | null }
  | { type: 'service.changed'; at: number; service: ServiceName; state: ServiceState; fault?: string };

/** What the orchestrator routes to it (ROUTES, machines/orchestrator.ts), as the system says it. */
export type AnalyticsRouted = Extract<
  PickleEvent,
  {
    type:
      | 'chat.batch'
      | 'chat.ignored'
      | 'chat.command'
      | 'brain.decision'
      | 'reply.start'
      | 'reply.firstToken'
      | 'reply.sentence'
      | 'reply.emotion'
      | 'reply.done'
      | 'reply.blocked'
      | 'reply.failed'
      | 'voice.firstByte'
      | 'voice.sentenceStarted'
      | 'voice.done'
      | 'control.skip'
      | 'brain.mute'
      | 'speech.started'
      | 'stream.online'
      | 'stream.offline'
      | 'viewer.forget';
  }
>;

/** The moment the chat seen since the last one is tallied. */
type TallyDue = { type: 'analytics.tally' };

export type AnalyticsEvent = AnalyticsFact | AnalyticsRouted | TallyDue;

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
  tallyMs: number;
  /** Chat lines seen since the last tally (tallied together, then remembered by id). */
  seen: SeenLines;
  /** Chat lines remembered by id (the newest ARRIVALS_KEPT), so a reply's wait runs from the message it answers. */
  arrivals: ArrivalTable;
  replies: OpenReply[];
  /** The last decision to answer, for the trigger of the reply that follows it. */
  answer: { at: number; reason: DecisionReason; input: InputKind; triggerId?: string } | undefined;
}

/** Replies followed at once; an older one that never ended is closed as `unfinished`. */
const OPEN_REPLIES = 8;

const quiet = (): Pick<AnalyticsContext, 'tally' | 'engaged' | 'engagedDirty' | 'replies' | 'answer'> => ({ tally: emptyMinute(), engaged: new Map(), engagedDirty: false, replies: [], answer: undefined });

/** The stage each routed moment ends (`first`: only the reply's first sentence written or heard counts). */
const REACHED: Partial<Record<AnalyticsEvent['type'], ReachedStage>> = { 'reply.firstToken': 'llm', 'reply.sentence': 'sentence', 'voice.firstByte': 'tts', 'voice.sentenceStarted': 'audio' };
type CutCause = NonNullable<OpenReply['cut']>;
const CUTS: Partial<Record<AnalyticsEvent['type'], CutCause>> = { 'control.skip': 'skip', 'brain.mute': 'mute', 'speech.started': 'barge-in' };

/** The viewer a forget names: the panel's login, or `platform:login` for `!forgetme`. */
const forgottenViewer = (event: Extract<AnalyticsEvent, { type: 'viewer.forget' | 'chat.command' }>): string =>
  event.type === 'viewer.forget' ? event.login : `${event.message.platform}:${event.message.user}`;

export const analyticsMachine = setup({
  types: {
    input: {} as AnalyticsInput,
    context: {} as AnalyticsContext,
    events: {} as AnalyticsEvent,
    emitted: {} as AnalyticsEmitted,
  },
  delays: {
    minute: ({ context }) => context.minuteMs,
    tally: ({ context }) => context.tallyMs,
  },
  guards: {
    startedByPickle: ({ context }) => context.stream?.reason === 'start',
    counted: ({ event }) => event.type === 'brain.decision' && countsForAnalytics(event.decision),
    firstOfReply: ({ event }) => (event.type === 'reply.sentence' ? event.index === 0 : event.type === 'voice.sentenceStarted' ? event.first : true),
    isSkip: ({ event }) => event.type === 'chat.command' && event.command === 'skip',
    isForgetMe: ({ event }) => event.type === 'chat.command' && event.command === 'forgetme',
  },
  actions: {
    open: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, ['analytics.open', 'stream.online']);
      const at = event.type === 'stream.online' ? event.ts : event.at;
      const id = streamIdOf(at);
      enqueue.assign({ stream: { id, start: at, minute: 0, reason: event.type === 'stream.online' ? 'online' : 'start' }, ...quiet() });
      const line: StreamLine = event.type === 'stream.online' ? { k: 'stream', v: 1, id, t: at, reason: 'online', platform: event.platform } : { k: 'stream', v: 1, id, t: at, reason: 'start' };
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
      const at = event.type === 'analytics.close' ? event.at : event.ts;
      for (const r of context.replies) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: toLine(r, 'dropped', 'unfinished') });
      // The chat seen since the last tally belongs to the last minute.
      const lines = seenLines(context.seen);
      const last = lines.length > 0 ? tallyChat(context.tally, context.engaged, lines) : { minute: context.tally, engaged: context.engaged };
      const t = s.start + s.minute * context.minuteMs;
      enqueue.emit({ type: 'analytics.line', streamId: s.id, line: minuteLine(last.minute, s.minute, t) });
      if (context.engagedDirty || lines.length > 0) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: engagedLine(last.engaged, at) });
      const reason = event.type === 'analytics.close' ? 'stop' : event.type === 'stream.offline' ? 'offline' : 'live';
      enqueue.emit({ type: 'analytics.line', streamId: s.id, line: { k: 'end', t: at, reason } });
      enqueue.assign({ stream: undefined, seen: undefined, arrivals: keepArrivals(context.arrivals, lines), ...quiet() });
    }),
    /**
     * Chat lines seen now, tallied with the others at the next tally: a batch's lines (one event
     * per ten lines or two seconds: a flood costs little), and each line the chat machine set
     * apart (a duplicate, a bot's, a command), which a batch does not carry.
     */
    seeChat: enqueueActions(({ context, event, enqueue }) => {
      const lines = event.type === 'chat.batch' ? event.messages : event.type === 'chat.ignored' || event.type === 'chat.command' ? [event.message] : [];
      if (lines.length === 0) return;
      let seen = context.seen;
      for (const m of lines) seen = see(seen, { id: m.id, platform: m.platform, user: m.user, at: m.ts });
      // The first lines since the last tally set the next one.
      if (context.seen === undefined) enqueue.raise({ type: 'analytics.tally' }, { delay: 'tally' });
      enqueue.assign({ seen });
    }),
    tallyChat: enqueueActions(({ context, enqueue }) => {
      const lines = seenLines(context.seen);
      if (lines.length === 0) return;
      const arrivals = keepArrivals(context.arrivals, lines);
      if (!context.stream) {
        enqueue.assign({ seen: undefined, arrivals });
        return;
      }
      const next = tallyChat(context.tally, context.engaged, lines);
      enqueue.assign({ tally: next.minute, engaged: next.engaged, engagedDirty: true, seen: undefined, arrivals });
    }),
    decide: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'brain.decision');
      const d = event.decision;
      if (d.respond) {
        enqueue.assign({ answer: { at: d.ts, reason: d.reason, input: d.input, ...(d.triggerId ? { triggerId: d.triggerId } : {}) } });
        if (ANSWERS.has(d.reason) && d.input !== 'speech') enqueue.assign({ tally: { ...context.tally, answered: context.tally.answered + 1 } });
      } else if (MENTION_DROPS.has(d.reason)) {
        const dropped = { ...context.tally.dropped, [d.reason]: (context.tally.dropped[d.reason] ?? 0) + 1 };
        enqueue.assign({ tally: { ...context.tally, dropped } });
      }
    }),
    startReply: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'reply.start');
      const s = context.stream;
      if (!s) return;
      const a = context.answer && (event.triggerId === undefined || context.answer.triggerId === event.triggerId) ? context.answer : undefined;
      const arrived = event.triggerId !== undefined ? arrivalOf(context.seen, context.arrivals, event.triggerId) : undefined;
      // Without its own time (no adapter stamped what started it), the reply starts when its input came: its wait is not timed.
      const known = arrived?.at ?? a?.at;
      const start = event.ts ?? known ?? s.start + s.minute * context.minuteMs;
      const reply: OpenReply = {
        replyId: event.replyId,
        trigger: { platform: arrived?.platform ?? null, kind: a?.input ?? 'chat', addressed: a ? ANSWERS.has(a.reason) : false },
        origin: Math.min(start, known ?? start),
        start,
        heard: false,
        reached: {},
        tokensIn: event.promptTokens ?? null,
        tokensOut: null,
        emotion: null,
        blocked: {},
      };
      const open = [...context.replies, reply];
      for (const old of open.splice(0, Math.max(0, open.length - OPEN_REPLIES))) enqueue.emit({ type: 'analytics.line', streamId: s.id, line: toLine(old, 'dropped', 'unfinished') });
      enqueue.assign({ replies: open, answer: undefined });
    }),
    /** A stage of a reply ended (timed when the moment came with its time); its first sentence heard counts the reply. */
    reach: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['reply.firstToken', 'reply.sentence', 'voice.firstByte', 'voice.sentenceStarted']);
      const stage = REACHED[event.type];
      const r = context.replies.find((x) => x.replyId === event.replyId);
      if (!r || !stage || r.reached[stage] !== undefined) return;
      const heard = stage === 'audio';
      if (heard && r.heard) return;
      const reached = event.ts !== undefined ? { ...r.reached, [stage]: event.ts } : r.reached;
      enqueue.assign({ replies: context.replies.map((x) => (x === r ? { ...r, reached, heard: r.heard || heard } : x)) });
      if (heard) enqueue.assign({ tally: { ...context.tally, replies: context.tally.replies + 1 } });
    }),
    note: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['reply.emotion', 'reply.done', 'reply.blocked']);
      const r = context.replies.find((x) => x.replyId === event.replyId);
      if (!r) return;
      const next: OpenReply =
        event.type === 'reply.blocked'
          ? { ...r, blocked: { ...r.blocked, [event.category]: (r.blocked[event.category] ?? 0) + 1 } }
          : { ...r, emotion: event.emotion, ...(event.type === 'reply.done' && event.tokens !== undefined ? { tokensOut: event.tokens } : {}) };
      enqueue.assign({ replies: context.replies.map((x) => (x === r ? next : x)) });
    }),
    /** What cut the reply being heard (the one that reached audio last). */
    cut: enqueueActions(({ context, event, enqueue }) => {
      const cause = event.type === 'chat.command' ? 'skip' : CUTS[event.type];
      const heard = [...context.replies].reverse().find((x) => x.heard);
      if (heard && cause) enqueue.assign({ replies: context.replies.map((x) => (x === heard ? { ...x, cut: cause } : x)) });
    }),
    finish: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['reply.failed', 'voice.done']);
      const s = context.stream;
      const r = context.replies.find((x) => x.replyId === event.replyId);
      if (!s || !r) return;
      const line = event.type === 'voice.done' ? toLine(r, playedOutcome(r, event.interrupted)) : toLine(r, failedOutcome(event.reason), event.reason === 'skipped' ? undefined : event.reason);
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
      assertEvent(event, ['viewer.forget', 'chat.command']);
      const viewer = forgottenViewer(event);
      const seen = seenOf(seenLines(context.seen).filter((l) => !matchesViewer(`${l.platform}:${l.user}`, viewer)));
      enqueue.assign({ engaged: forgetViewer(context.engaged, viewer), seen });
      enqueue.emit({ type: 'analytics.forget', viewer });
    }),
  },
}).createMachine({
  id: 'analytics',
  context: ({ input }) => ({ minuteMs: input.minuteMs ?? 60_000, tallyMs: input.tallyMs ?? 1000, stream: undefined, seen: undefined, arrivals: new Map(), ...quiet() }),
  initial: 'idle',
  on: {
    // What is stored is forgotten whether or not a stream runs.
    'viewer.forget': { actions: 'forget' },
    'chat.command': [
      { guard: 'isForgetMe', actions: ['seeChat', 'forget'] },
      { guard: 'isSkip', actions: ['seeChat', 'cut'] },
      { actions: 'seeChat' },
    ],
    // Chat is remembered by id offline too: a reply in the first moments live may answer it.
    'chat.batch': { actions: 'seeChat' },
    'chat.ignored': { actions: 'seeChat' },
    'analytics.tally': { actions: 'tallyChat' },
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
        'brain.decision': { guard: 'counted', actions: 'decide' },
        'reply.start': { actions: 'startReply' },
        'reply.firstToken': { actions: 'reach' },
        'reply.sentence': { guard: 'firstOfReply', actions: 'reach' },
        'voice.firstByte': { actions: 'reach' },
        'voice.sentenceStarted': { guard: 'firstOfReply', actions: 'reach' },
        'reply.emotion': { actions: 'note' },
        'reply.done': { actions: 'note' },
        'reply.blocked': { actions: 'note' },
        'control.skip': { actions: 'cut' },
        'brain.mute': { actions: 'cut' },
        'speech.started': { actions: 'cut' },
        'reply.failed': { actions: 'finish' },
        'voice.done': { actions: 'finish' },
        'process.sampled': { actions: 'sample' },
        'service.changed': { actions: 'serviceChanged' },
      },
    },
    stopped: { type: 'final' },
  },
});
