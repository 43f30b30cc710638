import { assertEvent, assign, emit, enqueueActions, setup } from 'xstate';

/**
 * The platform event feed's connection lifecycle (Twitch EventSub over WebSocket), as decisions only:
 * connect → welcomed → subscribe → live; a silent connection (no keepalive or notification within
 * the keepalive period plus slack) or a closed one → wait (backoff) → connect and subscribe again;
 * a `session_reconnect` opens the new URL while the old connection keeps delivering, and drops the
 * old one once the new one is welcomed (the session and its subscriptions move, nothing is resent);
 * a refused token or missing scope stops until restarted; a revocation is reported.
 *
 * The adapter (src/twitch/eventsub) does the I/O: it numbers its connections and reports facts about
 * them; it carries out the emitted `feed.*` commands.
 */

export interface EventFeedInput {
  url: string;
  /** Reconnect backoff: exponential from `baseMs`, capped at `maxMs`, half of it jittered by `random`. */
  backoff: { baseMs: number; maxMs: number };
  random: () => number;
  /** Give up on a connection that is not welcomed within this long. */
  welcomeTimeoutMs?: number;
}

export type SubscribeFailure = 'session' | 'auth' | 'scope' | 'server';

/** Facts the adapter reports. `conn` numbers the connection they are about. */
export type EventFeedEvent =
  | { type: 'feed.start' }
  | { type: 'socket.welcome'; conn: number; sessionId: string; keepaliveSec: number }
  /** A keepalive or a notification arrived: the connection is alive. */
  | { type: 'socket.activity'; conn: number }
  | { type: 'socket.reconnect'; conn: number; url: string }
  | { type: 'socket.closed'; conn: number; code: number; reason: string }
  | { type: 'subscribe.done'; sessionId: string }
  | { type: 'subscribe.failed'; sessionId: string; kind: SubscribeFailure; detail: string; fix?: string }
  | { type: 'subscription.revoked'; subscriptionType: string; status: string };

export type EventFeedStatus = { state: 'up' | 'down' | 'starting'; detail: string; fix?: string };

/** Commands for the adapter. */
export type EventFeedCommand =
  | { type: 'feed.connect'; conn: number; url: string }
  | { type: 'feed.disconnect'; conn: number }
  | { type: 'feed.subscribe'; sessionId: string }
  | ({ type: 'feed.status' } & EventFeedStatus);

interface EventFeedContext extends EventFeedInput {
  /** The connection the session lives on (0 = none yet). */
  conn: number;
  /** A connection opened for a `session_reconnect` handover, not yet welcomed. */
  nextConn: number | undefined;
  sessionId: string | undefined;
  keepaliveMs: number;
  attempt: number;
  lastProblem: string;
}

/** Slack on top of the keepalive period before a connection counts as lost. */
export const keepaliveDeadline = (keepaliveMs: number) => Math.round(keepaliveMs * 1.5);

export function retryDelayMs(attempt: number, backoff: { baseMs: number; maxMs: number }, random: number): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(exp / 2 + (r * exp) / 2);
}

export const eventFeedMachine = setup({
  types: {
    context: {} as EventFeedContext,
    events: {} as EventFeedEvent,
    input: {} as EventFeedInput,
    emitted: {} as EventFeedCommand,
  },
  delays: {
    welcomeTimeout: ({ context }) => context.welcomeTimeoutMs ?? 10_000,
    keepaliveTimeout: ({ context }) => keepaliveDeadline(context.keepaliveMs),
    retryDelay: ({ context }) => retryDelayMs(context.attempt, context.backoff, context.random()),
  },
  guards: {
    isCurrentConn: ({ context, event }) => 'conn' in event && event.conn === context.conn,
    isNextConn: ({ context, event }) => 'conn' in event && context.nextConn !== undefined && event.conn === context.nextConn,
    isLiveConn: ({ context, event }) => 'conn' in event && (event.conn === context.conn || event.conn === context.nextConn),
    /** The live connection closed with no handover under way (a closing old connection during one is expected). */
    isLostConn: ({ context, event }) => 'conn' in event && ((event.conn === context.conn && context.nextConn === undefined) || event.conn === context.nextConn),
    isThisSession: ({ context, event }) => 'sessionId' in event && event.sessionId === context.sessionId,
    isFatalFailure: ({ context, event }) => {
      assertEvent(event, 'subscribe.failed');
      return event.sessionId === context.sessionId && (event.kind === 'auth' || event.kind === 'scope');
    },
  },
  actions: {
    openConnection: assign(({ context }) => ({ conn: context.conn + 1, nextConn: undefined, sessionId: undefined })),
    emitConnect: emit(({ context }) => ({ type: 'feed.connect' as const, conn: context.conn, url: context.url })),
    dropCurrent: emit(({ context }) => ({ type: 'feed.disconnect' as const, conn: context.conn })),
    dropNext: enqueueActions(({ context, enqueue }) => {
      if (context.nextConn !== undefined) enqueue.emit({ type: 'feed.disconnect', conn: context.nextConn });
    }),
    takeWelcome: assign(({ event }) => {
      assertEvent(event, 'socket.welcome');
      return { sessionId: event.sessionId, keepaliveMs: event.keepaliveSec * 1000 };
    }),
    emitSubscribe: emit(({ context }) => ({ type: 'feed.subscribe' as const, sessionId: context.sessionId ?? '' })),
    startHandover: assign(({ context }) => ({ nextConn: context.conn + 1 })),
    emitHandoverConnect: emit(({ context, event }) => {
      assertEvent(event, 'socket.reconnect');
      return { type: 'feed.connect' as const, conn: context.nextConn ?? 0, url: event.url };
    }),
    /** The new connection is welcomed: it carries the session from now on. */
    finishHandover: assign(({ context, event }) => {
      assertEvent(event, 'socket.welcome');
      return { conn: context.nextConn ?? context.conn, nextConn: undefined, sessionId: event.sessionId, keepaliveMs: event.keepaliveSec * 1000 };
    }),
    resetAttempts: assign({ attempt: 0 }),
    countAttempt: assign(({ context }) => ({ attempt: context.attempt + 1 })),
    noteClose: assign(({ event }) => {
      assertEvent(event, 'socket.closed');
      return { lastProblem: `connection closed (${event.code}${event.reason ? ` ${event.reason}` : ''})` };
    }),
    noteSilence: assign({ lastProblem: 'no keepalive from Twitch: connection lost' }),
    noteWelcomeTimeout: assign({ lastProblem: 'no welcome from Twitch' }),
    noteFailure: assign(({ event }) => {
      assertEvent(event, 'subscribe.failed');
      return { lastProblem: event.detail };
    }),
    statusStarting: emit({ type: 'feed.status' as const, state: 'starting' as const, detail: 'connecting to Twitch events' }),
    statusUp: emit({ type: 'feed.status' as const, state: 'up' as const, detail: 'receiving channel-point redemptions and follows' }),
    statusRetrying: emit(({ context }) => ({ type: 'feed.status' as const, state: 'down' as const, detail: `${context.lastProblem}; reconnecting` })),
    statusFailed: emit(({ event }) => {
      assertEvent(event, 'subscribe.failed');
      return { type: 'feed.status' as const, state: 'down' as const, detail: event.detail, ...(event.fix ? { fix: event.fix } : {}) };
    }),
    statusRevoked: emit(({ event }) => {
      assertEvent(event, 'subscription.revoked');
      return {
        type: 'feed.status' as const,
        state: 'down' as const,
        detail: `Twitch revoked the ${event.subscriptionType} subscription (${event.status})`,
        fix: 'authorise Pickle again and put the new token in TWITCH_BROADCASTER_TOKEN, then restart',
      };
    }),
  },
}).createMachine({
  id: 'eventFeed',
  context: ({ input }) => ({ ...input, conn: 0, nextConn: undefined, sessionId: undefined, keepaliveMs: 10_000, attempt: 0, lastProblem: '' }),
  initial: 'idle',
  states: {
    idle: {
      on: { 'feed.start': { target: 'connecting', actions: 'statusStarting' } },
    },
    connecting: {
      entry: ['openConnection', 'emitConnect'],
      on: {
        'socket.welcome': { guard: 'isCurrentConn', target: 'session', actions: 'takeWelcome' },
        'socket.closed': { guard: 'isCurrentConn', target: 'waiting', actions: 'noteClose' },
      },
      after: { welcomeTimeout: { target: 'waiting', actions: ['noteWelcomeTimeout', 'dropCurrent'] } },
    },
    session: {
      type: 'parallel',
      on: {
        'socket.closed': { guard: 'isLostConn', target: 'waiting', actions: ['noteClose', 'dropCurrent', 'dropNext'] },
        'subscription.revoked': { target: '.subscriptions.revoked', actions: 'statusRevoked' },
      },
      states: {
        // Twitch sends a keepalive whenever it has been quiet for the keepalive period.
        watchdog: {
          initial: 'alive',
          states: {
            alive: {
              on: { 'socket.activity': { guard: 'isLiveConn', target: 'alive', reenter: true } },
              after: { keepaliveTimeout: { target: '#eventFeed.waiting', actions: ['noteSilence', 'dropCurrent', 'dropNext'] } },
            },
          },
        },
        handover: {
          initial: 'none',
          states: {
            none: {
              on: { 'socket.reconnect': { guard: 'isCurrentConn', target: 'opening', actions: ['startHandover', 'emitHandoverConnect'] } },
            },
            opening: {
              on: {
                'socket.welcome': { guard: 'isNextConn', target: 'none', actions: ['dropCurrent', 'finishHandover'] },
              },
              after: { welcomeTimeout: { target: '#eventFeed.waiting', actions: ['noteWelcomeTimeout', 'dropCurrent', 'dropNext'] } },
            },
          },
        },
        subscriptions: {
          initial: 'subscribing',
          states: {
            subscribing: {
              entry: 'emitSubscribe',
              on: {
                'subscribe.done': { guard: 'isThisSession', target: 'live' },
                'subscribe.failed': [
                  { guard: 'isFatalFailure', target: '#eventFeed.failed', actions: ['statusFailed', 'dropCurrent'] },
                  { guard: 'isThisSession', target: '#eventFeed.waiting', actions: ['noteFailure', 'dropCurrent'] },
                ],
              },
            },
            live: { entry: ['resetAttempts', 'statusUp'] },
            revoked: {},
          },
        },
      },
    },
    waiting: {
      entry: 'statusRetrying',
      after: { retryDelay: { target: 'connecting', actions: 'countAttempt' } },
    },
    /** A refused token or a missing scope: retrying cannot help until the streamer fixes it and restarts. */
    failed: {},
  },
});
