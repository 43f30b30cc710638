import { assign, emit, enqueueActions, setup } from 'xstate';

/**
 * Reading a YouTube live chat inside the day's API quota, as decisions only. The adapter
 * (src/youtube) makes the calls this emits and reports what they cost and returned.
 *
 * - `looking`: find the live chat (a video's `activeLiveChatId`; with a channel, one search for
 *   its live video first). None live → `waiting`, checking again after a wait planned so that
 *   waiting never eats the stream's budget (`lookupWaitMs`).
 * - `reading`: `chat.poll`, then rest: never sooner than the `pollingIntervalMillis` YouTube asked
 *   for, and slower when the units left today would not last the planned stream (`pollPlanMs`).
 * - `liveChatEnded` → back to `waiting`; `quotaExceeded` or the budget spent → `exhausted`
 *   (degraded) until the quota day starts again; a refused key → `down` until restarted; anything
 *   else is retried after `RETRY_MS`.
 *
 * Every state says how it is going as `chat.status` (the adapter's /health line).
 *
 * The day's count outlives a restart: the adapter gives the count it stored with its quota day
 * (`stored`) and the quota day it is now (`day`, as YouTube counts it, Pacific time); the count
 * goes on from the stored one only when they are the same day. Each change of the count is
 * emitted as `quota.counted` for the adapter to store.
 */

/** What one call costs in quota units (developers.google.com/youtube/v3/determine_quota_cost). */
export const YOUTUBE_COST = { search: 100, videos: 1, poll: 5, insert: 20 } as const;
/** How long a stream the budget is planned for. */
export const PLANNED_STREAM_MS = 8 * 3600_000;
/** Share of the units left that waiting for a broadcast may plan to use. */
export const WAIT_SHARE = 0.3;
/** Units kept back for replies in chat (when the adapter can post). */
export const REPLY_RESERVE_SHARE = 0.1;
export const RETRY_MS = 15_000;
const MIN_WAIT_MS = 30_000;
const MAX_WAIT_MS = 30 * 60_000;
const MAX_POLL_MS = 5 * 60_000;

export type YoutubeFailure = 'quotaExceeded' | 'liveChatEnded' | 'auth' | 'notFound' | 'retryable';

export type YoutubeChatEvent =
  | { type: 'chat.start' }
  /** The lookup's result: the live chat, or none live; `units` it cost. */
  | { type: 'chat.found'; liveChatId: string | undefined; units: number }
  /** One page read; YouTube's own minimum wait before the next. */
  | { type: 'chat.polled'; units: number; pollingIntervalMs: number }
  | { type: 'chat.failed'; failure: YoutubeFailure; detail: string; units: number }
  /** A reply posted (or refused) cost units too. */
  | { type: 'quota.spent'; units: number }
  /** A new quota day began (midnight Pacific time, `day` as `YYYY-MM-DD` there): today's count starts at 0. */
  | { type: 'quota.dayStarted'; day: string };

export type YoutubeChatEmitted =
  | { type: 'chat.lookup' }
  | { type: 'chat.poll'; liveChatId: string }
  | { type: 'chat.status'; state: 'up' | 'degraded' | 'down' | 'starting'; detail: string; fix?: string }
  /** The units used on the quota day `day`, to keep across a restart. */
  | { type: 'quota.counted'; day: string; used: number };

/** The count as the adapter stored it. */
export interface StoredQuotaCount {
  day: string;
  used: number;
}

export interface YoutubeChatInput {
  dailyQuota: number;
  /** What one lookup costs: 1 with a video id, 101 with a channel. */
  lookupCost: number;
  /** Replies in chat are possible: keep units for them. */
  replies: boolean;
  /** The quota day it is at start (`YYYY-MM-DD`, Pacific time). */
  day: string;
  /** The count stored by an earlier run, if any. */
  stored?: StoredQuotaCount | undefined;
}

interface YoutubeChatContext extends Omit<YoutubeChatInput, 'stored'> {
  used: number;
  liveChatId: string | undefined;
  /** YouTube's last `pollingIntervalMillis`. */
  askedMs: number;
  pollMs: number;
  detail: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const left = (c: Pick<YoutubeChatContext, 'dailyQuota' | 'used'>) => Math.max(0, c.dailyQuota - c.used);

/** The wait between polls: YouTube's minimum, or slower so the units left last the planned stream. */
export function pollPlanMs(c: Pick<YoutubeChatContext, 'dailyQuota' | 'used' | 'replies'>, askedMs: number): number {
  const usable = left(c) - (c.replies ? c.dailyQuota * REPLY_RESERVE_SHARE : 0);
  const planned = usable > 0 ? (PLANNED_STREAM_MS * YOUTUBE_COST.poll) / usable : MAX_POLL_MS;
  // The plan, when it is the slower, in whole seconds rounded up (it never spends faster than planned).
  return Math.min(MAX_POLL_MS, planned > askedMs ? Math.ceil(planned / 1000) * 1000 : askedMs);
}

/** The wait before looking for a broadcast again. */
export function lookupWaitMs(c: Pick<YoutubeChatContext, 'dailyQuota' | 'used' | 'lookupCost'>): number {
  const usable = left(c) * WAIT_SHARE;
  const planned = usable > 0 ? (PLANNED_STREAM_MS * c.lookupCost) / usable : MAX_WAIT_MS;
  return Math.round(Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, planned)));
}

/** Units already used today: the stored count when it is today's (a count that makes no sense is none). */
export function usedAtStart(day: string, stored: StoredQuotaCount | undefined): number {
  if (!stored || stored.day !== day || !Number.isFinite(stored.used) || stored.used < 0) return 0;
  return Math.floor(stored.used);
}

const units = (c: YoutubeChatContext) => `${fmt(c.used)} of ${fmt(c.dailyQuota)} units today`;
const QUOTA_FIX = 'wait for the quota to reset at midnight Pacific time, or raise YOUTUBE_DAILY_QUOTA after Google grants more (console.cloud.google.com → YouTube Data API v3 → Quotas)';
const KEY_FIX = 'set YOUTUBE_API_KEY to a valid key with the YouTube Data API v3 enabled (console.cloud.google.com → APIs & Services → Credentials)';

export const youtubeChatMachine = setup({
  types: {
    context: {} as YoutubeChatContext,
    events: {} as YoutubeChatEvent,
    input: {} as YoutubeChatInput,
    emitted: {} as YoutubeChatEmitted,
  },
  delays: {
    pollWait: ({ context }) => context.pollMs,
    lookupWait: ({ context }) => lookupWaitMs(context),
    retryWait: RETRY_MS,
  },
  guards: {
    isLive: ({ event }) => event.type === 'chat.found' && event.liveChatId !== undefined,
    failedWith: ({ event }, failure: YoutubeFailure) => event.type === 'chat.failed' && event.failure === failure,
    cannotPoll: ({ context }) => left(context) < YOUTUBE_COST.poll,
    cannotLookUp: ({ context }) => left(context) < context.lookupCost,
  },
  actions: {
    count: enqueueActions(({ context, event, enqueue }) => {
      const units = 'units' in event ? event.units : 0;
      if (units <= 0) return;
      const used = context.used + units;
      enqueue.assign({ used });
      enqueue.emit({ type: 'quota.counted', day: context.day, used });
    }),
    newDay: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'quota.dayStarted') return;
      enqueue.assign({ used: 0, day: event.day });
      enqueue.emit({ type: 'quota.counted', day: event.day, used: 0 });
    }),
    keepChat: assign({ liveChatId: ({ event }) => (event.type === 'chat.found' ? event.liveChatId : undefined) }),
    plan: assign(({ context, event }) => {
      const askedMs = event.type === 'chat.polled' ? event.pollingIntervalMs : context.askedMs;
      return { askedMs, pollMs: pollPlanMs(context, askedMs) };
    }),
    lookup: emit({ type: 'chat.lookup' } as const),
    poll: emit(({ context }) => ({ type: 'chat.poll', liveChatId: context.liveChatId ?? '' }) as const),
    noteFailure: assign({ detail: ({ event }) => (event.type === 'chat.failed' ? event.detail : '') }),
    reportStarting: emit(({ context }) => ({ type: 'chat.status', state: 'starting', detail: `looking for the live chat (${units(context)})` }) as const),
    reportReading: emit(({ context }) => ({ type: 'chat.status', state: 'up', detail: `${units(context)}, polling every ${Math.round(context.pollMs / 1000)} s` }) as const),
    reportWaiting: emit(({ context }) => ({
      type: 'chat.status',
      state: 'up',
      detail: `waiting for the next broadcast, checking every ${Math.round(lookupWaitMs(context) / 60_000) || 1} min (${units(context)})`,
    }) as const),
    reportExhausted: emit(({ context }) => ({ type: 'chat.status', state: 'degraded', detail: `the day's API quota is spent (${units(context)}): chat is not read until it resets`, fix: QUOTA_FIX }) as const),
    reportDown: emit(({ context }) => ({ type: 'chat.status', state: 'down', detail: `YOUTUBE_API_KEY was refused: ${context.detail}`, fix: KEY_FIX }) as const),
    reportRetrying: emit(({ context }) => ({ type: 'chat.status', state: 'degraded', detail: `${context.detail}; trying again in ${RETRY_MS / 1000} s (${units(context)})` }) as const),
    /** A reply's units while reading change the plan. */
    replan: assign({ pollMs: ({ context }) => pollPlanMs(context, context.askedMs) }),
  },
}).createMachine({
  id: 'youtubeChat',
  context: ({ input: { stored, ...input } }) => ({ ...input, used: usedAtStart(input.day, stored), liveChatId: undefined, askedMs: 0, pollMs: 0, detail: '' }),
  initial: 'idle',
  on: {
    'quota.spent': { actions: ['count', 'replan'] },
    'quota.dayStarted': { actions: 'newDay' },
  },
  states: {
    // Today's units, as stored by the run before, may not pay for a lookup.
    idle: { on: { 'chat.start': [{ guard: 'cannotLookUp', target: 'exhausted' }, { target: 'looking' }] } },
    looking: {
      entry: ['reportStarting', 'lookup'],
      on: {
        'chat.found': [
          { guard: 'isLive', actions: ['count', 'keepChat'], target: 'reading' },
          { actions: 'count', target: 'waiting' },
        ],
        'chat.failed': [
          { guard: { type: 'failedWith', params: 'auth' }, actions: ['count', 'noteFailure'], target: 'down' },
          { guard: { type: 'failedWith', params: 'quotaExceeded' }, actions: 'count', target: 'exhausted' },
          { guard: { type: 'failedWith', params: 'notFound' }, actions: 'count', target: 'waiting' },
          { actions: ['count', 'noteFailure'], target: 'retrying' },
        ],
      },
    },
    waiting: {
      entry: 'reportWaiting',
      always: { guard: 'cannotLookUp', target: 'exhausted' },
      after: { lookupWait: 'looking' },
    },
    reading: {
      initial: 'planning',
      states: {
        // A poll goes out only while today's units pay for it.
        planning: {
          always: [{ guard: 'cannotPoll', target: '#youtubeChat.exhausted' }, { target: 'fetching' }],
        },
        fetching: {
          entry: 'poll',
          on: {
            'chat.polled': { actions: ['count', 'plan', 'reportReading'], target: 'resting' },
          },
        },
        resting: { after: { pollWait: 'planning' } },
      },
      on: {
        'chat.failed': [
          { guard: { type: 'failedWith', params: 'liveChatEnded' }, actions: 'count', target: 'waiting' },
          { guard: { type: 'failedWith', params: 'notFound' }, actions: 'count', target: 'waiting' },
          { guard: { type: 'failedWith', params: 'auth' }, actions: ['count', 'noteFailure'], target: 'down' },
          { guard: { type: 'failedWith', params: 'quotaExceeded' }, actions: 'count', target: 'exhausted' },
          { actions: ['count', 'noteFailure'], target: 'retryingRead' },
        ],
      },
    },
    retryingRead: {
      entry: 'reportRetrying',
      after: { retryWait: 'reading' },
    },
    retrying: {
      entry: 'reportRetrying',
      after: { retryWait: 'looking' },
    },
    exhausted: {
      entry: 'reportExhausted',
      on: { 'quota.dayStarted': { actions: 'newDay', target: 'looking' } },
    },
    down: {
      entry: 'reportDown',
      on: { 'chat.start': 'looking' },
    },
  },
});
