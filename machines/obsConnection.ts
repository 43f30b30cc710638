import { assertEvent, assign, emit, setup } from 'xstate';
import type { ServiceState } from './events.ts';

/**
 * The OBS connection's lifecycle, from `obs.start` (sent once the adapter listens to what this
 * machine emits). The adapter (src/obs) only reports facts: a connect attempt
 * succeeded (`obs.connected`), failed (`obs.failed`), or an open connection closed (`obs.closed`).
 * This machine decides when to try again and what the streamer reads on /health:
 *
 * - unreachable / dropped: retry with a doubling delay (1 s → 15 s), forever — OBS may be opened later;
 * - password refused (close 4009): say so, naming OBS_WEBSOCKET_PASSWORD, and try again slowly
 *   (the streamer may fix it on OBS's side instead of ours);
 * - connected to an OBS without the Browser Source input kind: `degraded`, naming the missing
 *   obs-browser plugin (scene mute still works; "Add Pickle to OBS" cannot);
 * - still loading (request status 207 right after login): retry like unreachable;
 * - kicked from OBS's session list (close 4011): obs-websocket says a client "must not automatically
 *   reconnect", so it waits for `obs.retry` (the panel's "Add Pickle to OBS").
 */

export type ObsFailure = 'unreachable' | 'auth' | 'kicked' | 'protocol' | 'timeout' | 'notReady';

export type ObsConnectionEvent =
  /** The adapter listens: connect now (and keep connecting). */
  | { type: 'obs.start' }
  /** `browserSource`: OBS offers the Browser Source input kind (the obs-browser plugin is loaded). */
  | { type: 'obs.connected'; obsVersion: string; scene: string; browserSource: boolean }
  | { type: 'obs.failed'; failure: ObsFailure; detail: string }
  | { type: 'obs.closed'; failure: ObsFailure; detail: string }
  | { type: 'obs.scene'; name: string }
  /** Try now (someone asked for OBS: the setup button). */
  | { type: 'obs.retry' };

export type ObsConnectionEmitted =
  /** Open a connection now; answer with obs.connected or obs.failed. */
  | { type: 'obs.connect' }
  | { type: 'obs.status'; state: ServiceState; detail: string; fix?: string };

export interface ObsConnectionInput {
  url: string;
  retryBaseMs?: number;
  retryMaxMs?: number;
  authRetryMs?: number;
}

interface ObsConnectionContext {
  url: string;
  retryBaseMs: number;
  retryMaxMs: number;
  authRetryMs: number;
  /** Failed attempts in a row. */
  attempts: number;
  obsVersion?: string;
  scene?: string;
  browserSource?: boolean;
  failure?: ObsFailure;
  detail?: string;
}

export const OBS_ENABLE_FIX = 'open OBS → Tools → WebSocket Server Settings → Enable WebSocket server (and check OBS_WEBSOCKET_URL matches its port)';
export const NO_BROWSER_SOURCE_WHAT = 'This OBS has no Browser Source (the obs-browser plugin is missing)';
export const NO_BROWSER_SOURCE_FIX = "OBS from your distribution's packages often lacks it: install OBS from obsproject.com, its Flatpak, or its PPA";
export const NO_BROWSER_SOURCE = `${NO_BROWSER_SOURCE_WHAT}. ${NO_BROWSER_SOURCE_FIX}`;
export const OBS_PASSWORD_FIX = 'set OBS_WEBSOCKET_PASSWORD in .env to the password shown in OBS → Tools → WebSocket Server Settings → Show Connect Info';

/** What /health says while OBS is away, and the step that fixes it. */
export function obsDownStatus(failure: ObsFailure, url: string, detail: string): { detail: string; fix: string } {
  switch (failure) {
    case 'auth':
      return { detail: `OBS refused the password (${detail})`, fix: OBS_PASSWORD_FIX };
    case 'kicked':
      return { detail: 'OBS ended Pickle\'s session (kicked from the WebSocket session list)', fix: 'press "Add Pickle to OBS" on the panel to connect again' };
    case 'protocol':
      return { detail: `OBS at ${url} does not speak obs-websocket 5 (${detail})`, fix: 'update OBS to 28 or newer (obs-websocket 5 is built in)' };
    case 'timeout':
      return { detail: `OBS at ${url} did not answer in time`, fix: OBS_ENABLE_FIX };
    case 'notReady':
      return { detail: `OBS at ${url} is still starting or loading a scene collection`, fix: 'wait until OBS has finished loading: Pickle connects by itself' };
    case 'unreachable':
      return { detail: `OBS is not reachable at ${url} (${detail})`, fix: OBS_ENABLE_FIX };
  }
}

export const obsConnectionMachine = setup({
  types: {
    context: {} as ObsConnectionContext,
    events: {} as ObsConnectionEvent,
    input: {} as ObsConnectionInput,
    emitted: {} as ObsConnectionEmitted,
  },
  delays: {
    retryDelay: ({ context }) => Math.min(context.retryMaxMs, context.retryBaseMs * 2 ** Math.min(Math.max(context.attempts - 1, 0), 20)),
    authRetryDelay: ({ context }) => context.authRetryMs,
  },
  guards: {
    passwordRefused: ({ event }) => (event.type === 'obs.failed' || event.type === 'obs.closed') && event.failure === 'auth',
    kicked: ({ event }) => (event.type === 'obs.failed' || event.type === 'obs.closed') && event.failure === 'kicked',
  },
  actions: {
    connect: emit({ type: 'obs.connect' } as const),
    reportConnecting: emit(({ context }) => ({
      type: 'obs.status' as const,
      state: 'starting' as const,
      detail: `connecting to OBS at ${context.url}…`,
    })),
    rememberConnected: assign(({ event }) => {
      assertEvent(event, 'obs.connected');
      return { attempts: 0, obsVersion: event.obsVersion, scene: event.scene, browserSource: event.browserSource, failure: undefined, detail: undefined };
    }),
    rememberScene: assign(({ event }) => {
      assertEvent(event, 'obs.scene');
      return { scene: event.name };
    }),
    rememberFailure: assign(({ context, event }) => {
      assertEvent(event, ['obs.failed', 'obs.closed']);
      return { attempts: context.attempts + 1, failure: event.failure, detail: event.detail };
    }),
    /** Connected; without a Browser Source the overlay cannot be added, so OBS only half works. */
    reportUp: emit(({ context }) => {
      const detail = `OBS ${context.obsVersion ?? '?'} · scene "${context.scene ?? '?'}"`;
      if (context.browserSource === false)
        return { type: 'obs.status' as const, state: 'degraded' as const, detail: `${detail} · ${NO_BROWSER_SOURCE_WHAT}`, fix: NO_BROWSER_SOURCE_FIX };
      return { type: 'obs.status' as const, state: 'up' as const, detail };
    }),
    reportDown: emit(({ context }) => {
      const s = obsDownStatus(context.failure ?? 'unreachable', context.url, context.detail ?? 'no answer');
      return { type: 'obs.status' as const, state: 'down' as const, detail: s.detail, fix: s.fix };
    }),
  },
}).createMachine({
  id: 'obsConnection',
  context: ({ input }) => ({
    url: input.url,
    retryBaseMs: input.retryBaseMs ?? 1_000,
    retryMaxMs: input.retryMaxMs ?? 15_000,
    authRetryMs: input.authRetryMs ?? 30_000,
    attempts: 0,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: { 'obs.start': { target: 'connecting', actions: 'reportConnecting' } },
    },
    connecting: {
      entry: 'connect',
      on: {
        'obs.connected': { target: 'up', actions: 'rememberConnected' },
        'obs.failed': [
          { guard: 'passwordRefused', target: 'passwordRefused', actions: 'rememberFailure' },
          { guard: 'kicked', target: 'kicked', actions: 'rememberFailure' },
          { target: 'waiting', actions: 'rememberFailure' },
        ],
      },
    },
    up: {
      entry: 'reportUp',
      on: {
        'obs.scene': { actions: ['rememberScene', 'reportUp'] },
        'obs.closed': [
          { guard: 'passwordRefused', target: 'passwordRefused', actions: 'rememberFailure' },
          { guard: 'kicked', target: 'kicked', actions: 'rememberFailure' },
          { target: 'waiting', actions: 'rememberFailure' },
        ],
      },
    },
    waiting: {
      entry: 'reportDown',
      after: { retryDelay: 'connecting' },
      on: { 'obs.retry': 'connecting' },
    },
    passwordRefused: {
      entry: 'reportDown',
      after: { authRetryDelay: 'connecting' },
      on: { 'obs.retry': 'connecting' },
    },
    kicked: {
      entry: 'reportDown',
      on: { 'obs.retry': 'connecting' },
    },
  },
});
