import { assign, emit, setup } from 'xstate';

/**
 * When a backend's health is checked (the LLM: is the server there, is the model installed and
 * loaded): at once on start, then every `checkIntervalMs` while checks pass, and with a doubling
 * pause (from `retryIntervalMs` up to `maxRetryIntervalMs`) while they fail. A reply that failed
 * for a reason the check watches (`health.suspect`) asks for an early check after the shortest
 * pause. One check at a time: the adapter runs it when this emits `health.check` and reports
 * `health.passed` or `health.failed` (a check that crashed is a failure).
 */

export interface HealthCheckInput {
  retryIntervalMs: number;
  maxRetryIntervalMs: number;
  checkIntervalMs: number;
}

export type HealthCheckEvent =
  | { type: 'health.start' }
  | { type: 'health.stop' }
  | { type: 'health.passed' }
  | { type: 'health.failed' }
  /** A reply failed in a way the check watches (server gone, model missing). */
  | { type: 'health.suspect' };

export type HealthCheckEmitted = { type: 'health.check' };

interface HealthCheckContext extends HealthCheckInput {
  /** Checks failed in a row. */
  failures: number;
  /** The pause before the next check. */
  waitMs: number;
}

/** The pause after `failures` failed checks in a row (1 after the first). */
export function healthRetryMs(failures: number, input: HealthCheckInput): number {
  return Math.min(input.retryIntervalMs * 2 ** Math.max(0, failures - 1), input.maxRetryIntervalMs);
}

export const healthCheckMachine = setup({
  types: {
    context: {} as HealthCheckContext,
    events: {} as HealthCheckEvent,
    input: {} as HealthCheckInput,
    emitted: {} as HealthCheckEmitted,
  },
  delays: {
    nextCheck: ({ context }) => context.waitMs,
  },
  actions: {
    askForCheck: emit({ type: 'health.check' }),
    passed: assign({ failures: 0, waitMs: ({ context }) => context.checkIntervalMs }),
    failed: assign(({ context }) => ({ failures: context.failures + 1, waitMs: healthRetryMs(context.failures + 1, context) })),
    /** Something looks wrong: check again soon, and back off from the start if it still fails. */
    soon: assign({ failures: 0, waitMs: ({ context }) => context.retryIntervalMs }),
    reset: assign({ failures: 0 }),
  },
}).createMachine({
  id: 'healthCheck',
  context: ({ input }) => ({ ...input, failures: 0, waitMs: 0 }),
  initial: 'stopped',
  on: {
    'health.stop': '.stopped',
  },
  states: {
    stopped: {
      on: { 'health.start': { target: 'checking', actions: 'reset' } },
    },
    /** A check runs; a suspicion meanwhile is answered by its outcome. */
    checking: {
      entry: 'askForCheck',
      on: {
        'health.passed': { target: 'waiting', actions: 'passed' },
        'health.failed': { target: 'waiting', actions: 'failed' },
      },
    },
    waiting: {
      after: { nextCheck: 'checking' },
      on: {
        'health.suspect': { target: 'waiting', reenter: true, actions: 'soon' },
      },
    },
  },
});
