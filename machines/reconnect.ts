import { assertEvent, assign, emit, setup } from 'xstate';
import type { FailureClass } from '../src/errors.ts';

/**
 * One connection to a service that may drop (a socket, a child process, a channel membership),
 * as decisions only: when to open it, how long to wait after it failed, and when to stop trying.
 * The adapter opens and closes the real thing and reports facts; it carries out the emitted
 * `connection.*` commands.
 *
 * - `connection.start` → `connecting` (emits `connection.open`). No `connection.opened` within
 *   `connectTimeoutMs` counts as a retryable failure.
 * - `connection.lost` says what went wrong as a `FailureClass` (src/errors.ts classifies, this
 *   machine decides what the class means):
 *   - `retryable` → `waiting`, then connect again: `baseMs` doubling per failure in a row, at most
 *     `maxMs`, with "equal jitter" (half fixed, half `jitter` × half) so clients dropped together do
 *     not come back in lockstep, and none retries instantly;
 *   - `rate-limited` → the same, from `rateLimitedBaseMs` at least (the service asked to slow down);
 *   - `auth` → `renewing` while renewals are left (the adapter renews its credentials and answers
 *     `credentials.renewed`), else `failed`;
 *   - `fatal` → `failed`: only the streamer's fix helps, nothing is retried until a new start.
 * - `maxAttempts` failures in a row → `givenUp`.
 * - Connected for `stableMs` counts as healthy: the doubling and the renewals start over (a
 *   server that accepts and drops at once is not hammered).
 * - `connection.restart` (the server asked to move): connect again now, not counted as a failure.
 * - `connection.stop` from anywhere → `stopped` (a pending retry is dropped); a start begins afresh.
 *
 * Jitter is event data (no randomness here): each `connection.lost` carries one in [0, 1]; a
 * timeout reuses the last one reported (0.5 before any).
 */

export interface ReconnectInput {
  baseMs: number;
  maxMs: number;
  /** After a `rate-limited` failure the delay starts at least this high (default 5 000). */
  rateLimitedBaseMs?: number;
  /** Connected this long: failures in a row are forgotten (default 0: as soon as it connects). */
  stableMs?: number;
  /** An attempt not connected within this long counts as a retryable failure (default 15 000). */
  connectTimeoutMs?: number;
  /** Failures in a row before giving up (default: never). */
  maxAttempts?: number;
  /** How many times an `auth` failure may be answered by renewing credentials (default 0). */
  renewals?: number;
}

export type ReconnectEvent =
  | { type: 'connection.start' }
  | { type: 'connection.stop' }
  | { type: 'connection.opened' }
  | { type: 'connection.lost'; failure: FailureClass; reason: string; jitter: number; fix?: string }
  /** The server asked the client to reconnect (maintenance): at once, and not an outage. */
  | { type: 'connection.restart' }
  | { type: 'credentials.renewed' };

export type ReconnectEmitted =
  /** Open the connection now. `attempt`: failures in a row before this one (0 = a fresh start). */
  | { type: 'connection.open'; attempt: number }
  /** Failed; trying again in `retryInMs`. `cause` says whether it was lost or never answered. */
  | { type: 'connection.retrying'; failure: FailureClass; cause: 'lost' | 'timeout'; reason: string; attempt: number; retryInMs: number }
  /** Renew the credentials, then answer `credentials.renewed` (or `connection.lost`). */
  | { type: 'connection.renew'; reason: string }
  /** Stopped for good: retrying cannot help. `renewed`: credentials were renewed since the last connection. */
  | { type: 'connection.failed'; failure: FailureClass; reason: string; fix?: string; renewed: boolean }
  | { type: 'connection.givenUp'; failure: FailureClass; reason: string; attempts: number };

interface ReconnectContext {
  baseMs: number;
  maxMs: number;
  rateLimitedBaseMs: number;
  stableMs: number;
  connectTimeoutMs: number;
  maxAttempts: number;
  renewals: number;
  /** Failures in a row. */
  failures: number;
  /** Renewals used since the last stable connection. */
  renewed: number;
  failure: FailureClass;
  cause: 'lost' | 'timeout';
  reason: string;
  fix: string | undefined;
  jitter: number;
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The pause before retry number `attempt` (0 = first retry): exponential, capped, equal jitter. */
export function reconnectDelayMs(attempt: number, backoff: Backoff, jitter: number): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = Math.min(Math.max(jitter, 0), 1);
  return Math.round(exp / 2 + (r * exp) / 2);
}

const nextDelay = (c: ReconnectContext) =>
  reconnectDelayMs(c.failures - 1, { baseMs: c.failure === 'rate-limited' ? Math.max(c.baseMs, c.rateLimitedBaseMs) : c.baseMs, maxMs: c.maxMs }, c.jitter);

export const reconnectMachine = setup({
  types: {
    input: {} as ReconnectInput,
    context: {} as ReconnectContext,
    events: {} as ReconnectEvent,
    emitted: {} as ReconnectEmitted,
  },
  delays: {
    retryDelay: ({ context }) => nextDelay(context),
    connectTimeout: ({ context }) => context.connectTimeoutMs,
    stableAfter: ({ context }) => context.stableMs,
  },
  guards: {
    mayRenew: ({ context, event }) => {
      assertEvent(event, 'connection.lost');
      return event.failure === 'auth' && context.renewed < context.renewals;
    },
    cannotRetry: ({ event }) => {
      assertEvent(event, 'connection.lost');
      return event.failure === 'auth' || event.failure === 'fatal';
    },
    /** This failure is the last one allowed in a row. */
    outOfAttempts: ({ context }) => context.failures + 1 >= context.maxAttempts,
  },
  actions: {
    open: emit(({ context }) => ({ type: 'connection.open' as const, attempt: context.failures })),
    noteLost: assign(({ event }) => {
      assertEvent(event, 'connection.lost');
      return { failure: event.failure, cause: 'lost' as const, reason: event.reason, fix: event.fix, jitter: Math.min(Math.max(event.jitter, 0), 1) };
    }),
    noteTimeout: assign(({ context }) => ({
      failure: 'retryable' as const,
      cause: 'timeout' as const,
      reason: `no answer within ${context.connectTimeoutMs} ms`,
      fix: undefined,
    })),
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
    countRenewal: assign({ renewed: ({ context }) => context.renewed + 1 }),
    forgetFailures: assign({ failures: 0, renewed: 0 }),
    announceRetry: emit(({ context }) => ({
      type: 'connection.retrying' as const,
      failure: context.failure,
      cause: context.cause,
      reason: context.reason,
      attempt: context.failures,
      retryInMs: nextDelay(context),
    })),
    askRenewal: emit(({ context }) => ({ type: 'connection.renew' as const, reason: context.reason })),
    announceFailed: emit(({ context }) => ({
      type: 'connection.failed' as const,
      failure: context.failure,
      reason: context.reason,
      ...(context.fix !== undefined ? { fix: context.fix } : {}),
      renewed: context.renewed > 0,
    })),
    announceGivenUp: emit(({ context }) => ({
      type: 'connection.givenUp' as const,
      failure: context.failure,
      reason: context.reason,
      attempts: context.failures,
    })),
  },
}).createMachine({
  id: 'reconnect',
  context: ({ input }) => ({
    baseMs: input.baseMs,
    maxMs: input.maxMs,
    rateLimitedBaseMs: input.rateLimitedBaseMs ?? 5_000,
    stableMs: input.stableMs ?? 0,
    connectTimeoutMs: input.connectTimeoutMs ?? 15_000,
    maxAttempts: input.maxAttempts ?? Number.POSITIVE_INFINITY,
    renewals: input.renewals ?? 0,
    failures: 0,
    renewed: 0,
    failure: 'retryable',
    cause: 'lost',
    reason: '',
    fix: undefined,
    jitter: 0.5,
  }),
  initial: 'idle',
  on: { 'connection.stop': '.stopped' },
  states: {
    idle: {
      on: { 'connection.start': { target: 'connecting', actions: 'forgetFailures' } },
    },
    connecting: {
      entry: 'open',
      on: {
        'connection.opened': 'connected',
        'connection.restart': { target: 'connecting', reenter: true, actions: 'forgetFailures' },
        'connection.lost': [
          { guard: 'mayRenew', target: 'renewing', actions: 'noteLost' },
          { guard: 'cannotRetry', target: 'failed', actions: 'noteLost' },
          { guard: 'outOfAttempts', target: 'givenUp', actions: ['noteLost', 'countFailure'] },
          { target: 'waiting', actions: ['noteLost', 'countFailure'] },
        ],
      },
      after: {
        connectTimeout: [
          { guard: 'outOfAttempts', target: 'givenUp', actions: ['noteTimeout', 'countFailure'] },
          { target: 'waiting', actions: ['noteTimeout', 'countFailure'] },
        ],
      },
    },
    connected: {
      after: { stableAfter: { actions: 'forgetFailures' } },
      on: {
        'connection.restart': { target: 'connecting', actions: 'forgetFailures' },
        'connection.lost': [
          { guard: 'mayRenew', target: 'renewing', actions: 'noteLost' },
          { guard: 'cannotRetry', target: 'failed', actions: 'noteLost' },
          { guard: 'outOfAttempts', target: 'givenUp', actions: ['noteLost', 'countFailure'] },
          { target: 'waiting', actions: ['noteLost', 'countFailure'] },
        ],
      },
    },
    waiting: {
      entry: 'announceRetry',
      after: { retryDelay: 'connecting' },
      on: { 'connection.restart': { target: 'connecting', actions: 'forgetFailures' } },
    },
    renewing: {
      entry: 'askRenewal',
      on: {
        'credentials.renewed': { target: 'connecting', actions: 'countRenewal' },
        // A second refusal while renewing: the renewal itself was refused.
        'connection.lost': [
          { guard: 'cannotRetry', target: 'failed', actions: 'noteLost' },
          { guard: 'outOfAttempts', target: 'givenUp', actions: ['noteLost', 'countFailure'] },
          { target: 'waiting', actions: ['noteLost', 'countFailure'] },
        ],
      },
    },
    /** `auth` with no renewal left, or `fatal`: retrying cannot help until someone fixes it and starts again. */
    failed: {
      entry: 'announceFailed',
      on: { 'connection.start': { target: 'connecting', actions: 'forgetFailures' } },
    },
    givenUp: {
      entry: 'announceGivenUp',
      on: { 'connection.start': { target: 'connecting', actions: 'forgetFailures' } },
    },
    stopped: {
      on: { 'connection.start': { target: 'connecting', actions: 'forgetFailures' } },
    },
  },
});
