import { assertEvent, assign, emit, setup } from 'xstate';

/**
 * A page of Pickle's in its hidden browser (camera, microphone, local voice): when to open it
 * and when to try again. The adapter (src/browser/pageHost.ts) only opens and closes the page and
 * reports what happened; this machine decides.
 *
 * - `page.start` → open it. It opened (`page.opened`) → `open`; it failed or the browser died
 *   (`page.failed`) → `waiting`, then open again after `reopenDelay`: `baseMs`, doubling per
 *   failure in a row, at most `maxMs`. Up for `stableAfter` counts as healthy: the doubling starts over.
 * - `page.stop` from anywhere → `stopped` (pending retries are dropped).
 * Out: `page.open` (open it now), `page.retry` (why, and in how long: for the status board).
 */

export interface BrowserPageInput {
  baseMs?: number;
  maxMs?: number;
  stableMs?: number;
}

interface BrowserPageContext {
  baseMs: number;
  maxMs: number;
  stableMs: number;
  /** Failures in a row (reset after `stableMs` up). */
  failures: number;
}

export type BrowserPageEvent =
  | { type: 'page.start' }
  | { type: 'page.stop' }
  | { type: 'page.opened' }
  | { type: 'page.failed'; why: 'crashed' | 'failed'; detail: string; error?: string };

export type BrowserPageEmitted =
  | { type: 'page.open' }
  | { type: 'page.retry'; why: 'crashed' | 'failed'; detail: string; error?: string; retryInMs: number };

/** The pause before the next try after `failures` failures in a row (1, 2, 3…). */
/** A page (or the browser under it) that failed is opened again after 1 s, 2 s, 4 s… up to 30 s (README). */
export const PAGE_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

export function reopenDelay(ctx: Pick<BrowserPageContext, 'baseMs' | 'maxMs'>, failures: number): number {
  return Math.min(ctx.baseMs * 2 ** Math.max(0, failures - 1), ctx.maxMs);
}

export const browserPageMachine = setup({
  types: {
    input: {} as BrowserPageInput,
    context: {} as BrowserPageContext,
    events: {} as BrowserPageEvent,
    emitted: {} as BrowserPageEmitted,
  },
  delays: {
    reopenDelay: ({ context }) => reopenDelay(context, context.failures),
    stableAfter: ({ context }) => context.stableMs,
  },
  actions: {
    openPage: emit({ type: 'page.open' as const }),
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
    announceRetry: emit(({ context, event }) => {
      assertEvent(event, 'page.failed');
      return {
        type: 'page.retry' as const,
        why: event.why,
        detail: event.detail,
        ...(event.error !== undefined ? { error: event.error } : {}),
        retryInMs: reopenDelay(context, context.failures),
      };
    }),
    forgetFailures: assign({ failures: 0 }),
  },
}).createMachine({
  id: 'browserPage',
  context: ({ input }) => ({ baseMs: input.baseMs ?? PAGE_BACKOFF.baseMs, maxMs: input.maxMs ?? PAGE_BACKOFF.maxMs, stableMs: input.stableMs ?? 60_000, failures: 0 }),
  initial: 'stopped',
  on: { 'page.stop': '.stopped' },
  states: {
    stopped: {
      on: { 'page.start': { target: 'opening', actions: 'forgetFailures' } },
    },
    opening: {
      entry: 'openPage',
      on: {
        'page.opened': 'open',
        'page.failed': { target: 'waiting', actions: ['countFailure', 'announceRetry'] },
      },
    },
    open: {
      after: { stableAfter: { actions: 'forgetFailures' } },
      on: { 'page.failed': { target: 'waiting', actions: ['countFailure', 'announceRetry'] } },
    },
    waiting: {
      after: { reopenDelay: 'opening' },
    },
  },
});
