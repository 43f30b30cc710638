import { assign, emit, setup } from 'xstate';

/**
 * Arrivals: is what should come actually coming? `/health` may say a sense works only while it
 * does: `stt: up` only while audio bytes reach the transcriber, `audio: up` only once the voice
 * page has answered. A status that waits for something that never comes must end, within its
 * deadline, in a clear `down`.
 *
 * Facts in: `arrivals.watch` (from now on something should arrive: a stream opened, a page was
 * started), `arrivals.arrived` (it did: bytes sent, a report), `arrivals.unwatch` (nothing is
 * expected any more). Out: `arrivals.flowing` when things arrive after a wait, `arrivals.stalled`
 * when the first one is later than `firstMs`, or, with `gapMs`, the next one later than that.
 * Without `gapMs` one arrival is enough (a page that answered once).
 */

export interface ArrivalsInput {
  /** From `watch` to the first arrival. */
  firstMs: number;
  /** Between arrivals; none: the first one settles it. */
  gapMs?: number;
}

interface ArrivalsContext extends ArrivalsInput {
  /** Something arrived since the last `watch`. */
  arrivedBefore: boolean;
}

export type ArrivalsEvent = { type: 'arrivals.watch' } | { type: 'arrivals.arrived' } | { type: 'arrivals.unwatch' };

export type ArrivalsEmitted = { type: 'arrivals.flowing' } | { type: 'arrivals.stalled'; arrivedBefore: boolean; afterMs: number };

export const arrivalsMachine = setup({
  types: {
    input: {} as ArrivalsInput,
    context: {} as ArrivalsContext,
    events: {} as ArrivalsEvent,
    emitted: {} as ArrivalsEmitted,
  },
  delays: {
    first: ({ context }) => context.firstMs,
    gap: ({ context }) => context.gapMs ?? 0,
  },
  guards: {
    watchesGaps: ({ context }) => context.gapMs !== undefined,
  },
  actions: {
    forget: assign({ arrivedBefore: false }),
    note: assign({ arrivedBefore: true }),
    announceFlowing: emit({ type: 'arrivals.flowing' as const }),
    announceStalled: emit(({ context }) => ({
      type: 'arrivals.stalled' as const,
      arrivedBefore: context.arrivedBefore,
      afterMs: context.arrivedBefore ? (context.gapMs ?? context.firstMs) : context.firstMs,
    })),
  },
}).createMachine({
  id: 'arrivals',
  context: ({ input }) => ({ ...input, arrivedBefore: false }),
  initial: 'idle',
  on: {
    'arrivals.watch': { target: '.waiting', actions: 'forget', reenter: true },
    'arrivals.unwatch': '.idle',
  },
  states: {
    /** Nothing expected. */
    idle: {},
    /** Watching, nothing yet. */
    waiting: {
      after: { first: 'stalled' },
      on: { 'arrivals.arrived': { target: 'flowing', actions: ['note', 'announceFlowing'] } },
    },
    /** Arriving; with `gapMs`, each arrival starts the wait for the next. */
    flowing: {
      initial: 'check',
      states: {
        check: { always: [{ guard: 'watchesGaps', target: 'timing' }, { target: 'settled' }] },
        timing: { after: { gap: '#arrivals.stalled' } },
        settled: {},
      },
      on: { 'arrivals.arrived': { target: 'flowing', reenter: true } },
    },
    /** Later than the deadline: reported once; the next arrival is news. */
    stalled: {
      entry: 'announceStalled',
      on: { 'arrivals.arrived': { target: 'flowing', actions: ['note', 'announceFlowing'] } },
    },
  },
});
