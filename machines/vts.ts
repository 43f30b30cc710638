import { assertEvent, emit, enqueueActions, setup } from 'xstate';
import type { AvatarOutEvent, Emotion } from './events.ts';

/**
 * VTube Studio as decisions only (the adapter in src/vts/ does the socket): the plugin token flow,
 * which hotkey an emotion triggers, and when the mouth's values are sent. The avatar's emotion and
 * whether Pickle speaks (`avatar.emotion`, `avatar.speaking`) come routed from the orchestrator;
 * the rest is what the adapter hears on the socket and from the overlay (`vts.*`).
 *
 * - Token: connected without a stored token → ask for one (`vts.requestToken`, and the streamer is
 *   told to click Allow); granted → authenticate; denied → `denied` until the next connection;
 *   a stored token VTube Studio no longer takes → ask for a new one.
 * - Hotkeys: an emotion triggers the persona's `vts.hotkeys[emotion]`, else a hotkey named like the
 *   emotion (case-insensitive); names the persona gave that the model lacks are reported once per
 *   hotkey list. An expression toggled on is toggled off again when the emotion changes.
 * - Lip-sync: while Pickle speaks (`avatar.speaking`), the latest mouth (`vts.mouth`) goes out every `injectMs` (30 Hz
 *   by default: VTube Studio drops injected values it has not heard of for a second), and once
 *   closed when the voice stops; in silence nothing is sent, so the model's own tracking returns.
 */

export interface VtsHotkey {
  name: string;
  id: string;
  /** VTube Studio's hotkey type (`ToggleExpression`, `TriggerAnimation`, …). */
  type: string;
}

export interface VtsInput {
  /** The persona's `vts.hotkeys`: emotion → hotkey name. */
  hotkeys?: Partial<Record<Emotion, string>>;
  /** Whether a plugin token is stored already. */
  hasToken: boolean;
  /** How often the mouth is sent while speaking (default 33 ms: 30 Hz, so timer slack on a busy PC still leaves ≥ 20 Hz). */
  injectMs?: number;
}

export type VtsEvent =
  | { type: 'vts.connected' }
  | { type: 'vts.disconnected' }
  | { type: 'vts.tokenGranted' }
  | { type: 'vts.tokenDenied'; message: string }
  | { type: 'vts.authenticated' }
  | { type: 'vts.authRefused'; reason: string }
  | { type: 'vts.hotkeys'; model: string; hotkeys: VtsHotkey[] }
  | { type: 'vts.mouth'; open: number; form: number }
  /** Routed by the orchestrator: the avatar machine's emotion and speaking. */
  | Extract<AvatarOutEvent, { type: 'avatar.emotion' | 'avatar.speaking' }>;

export type VtsEmitted =
  | { type: 'vts.requestToken' }
  | { type: 'vts.authenticate' }
  | { type: 'vts.forgetToken' }
  | { type: 'vts.listHotkeys' }
  /** The streamer must click Allow in VTube Studio now. */
  | { type: 'vts.askingAllow' }
  | { type: 'vts.denied'; message: string }
  | { type: 'vts.ready'; model: string; missing: string[] }
  | { type: 'vts.trigger'; hotkeyId: string; name: string }
  /** MouthOpen 0–1 and MouthSmile 0–1. */
  | { type: 'vts.inject'; open: number; smile: number };

interface VtsContext {
  mapping: Partial<Record<Emotion, string>>;
  hasToken: boolean;
  injectMs: number;
  hotkeys: VtsHotkey[];
  /** The toggle expression on now (turned off when the emotion changes). */
  toggledOn: VtsHotkey | undefined;
  emotion: Emotion;
  mouth: { open: number; form: number };
}

/** MouthSmile from the mouth's shape and the emotion: wide vowels and happy faces smile. */
export function smileOf(form: number, emotion: Emotion): number {
  const mood = ['happy', 'excited', 'laughing', 'smug'].includes(emotion) ? 0.75 : ['sad', 'angry', 'confused'].includes(emotion) ? 0.15 : 0.45;
  return Math.round(Math.min(1, Math.max(0, mood + form * 0.2)) * 1000) / 1000;
}

export function hotkeyFor(emotion: Emotion, mapping: Partial<Record<Emotion, string>>, hotkeys: VtsHotkey[]): VtsHotkey | undefined {
  const name = (mapping[emotion] ?? emotion).toLowerCase();
  return hotkeys.find((h) => h.name.toLowerCase() === name);
}

export const vtsMachine = setup({
  types: { context: {} as VtsContext, events: {} as VtsEvent, input: {} as VtsInput, emitted: {} as VtsEmitted },
  delays: { inject: ({ context }) => context.injectMs },
  guards: {
    hasToken: ({ context }) => context.hasToken,
    speakingStarts: ({ event }) => event.type === 'avatar.speaking' && event.value,
    speakingStops: ({ event }) => event.type === 'avatar.speaking' && !event.value,
  },
  actions: {
    requestToken: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'vts.requestToken' });
      enqueue.emit({ type: 'vts.askingAllow' });
    }),
    authenticate: emit({ type: 'vts.authenticate' }),
    tokenStored: enqueueActions(({ enqueue }) => enqueue.assign({ hasToken: true })),
    forgetToken: enqueueActions(({ enqueue }) => {
      enqueue.assign({ hasToken: false });
      enqueue.emit({ type: 'vts.forgetToken' });
    }),
    denied: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'vts.tokenDenied');
      enqueue.emit({ type: 'vts.denied', message: event.message });
    }),
    listHotkeys: emit({ type: 'vts.listHotkeys' }),
    takeHotkeys: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'vts.hotkeys');
      const names = event.hotkeys.map((h) => h.name.toLowerCase());
      const missing = Object.values(context.mapping).filter((n): n is string => !!n && !names.includes(n.toLowerCase()));
      enqueue.assign({ hotkeys: event.hotkeys, toggledOn: undefined });
      enqueue.emit({ type: 'vts.ready', model: event.model, missing: [...new Set(missing)] });
    }),
    feel: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'avatar.emotion');
      if (event.value === context.emotion) return;
      enqueue.assign({ emotion: event.value });
      const next = hotkeyFor(event.value, context.mapping, context.hotkeys);
      if (context.toggledOn && context.toggledOn.id !== next?.id) {
        enqueue.emit({ type: 'vts.trigger', hotkeyId: context.toggledOn.id, name: context.toggledOn.name });
        enqueue.assign({ toggledOn: undefined });
      }
      if (!next || next.id === context.toggledOn?.id) return;
      enqueue.emit({ type: 'vts.trigger', hotkeyId: next.id, name: next.name });
      if (next.type === 'ToggleExpression') enqueue.assign({ toggledOn: next });
    }),
    hearMouth: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'vts.mouth');
      const clamp = (v: number, lo: number) => (Number.isFinite(v) ? Math.min(1, Math.max(lo, v)) : 0);
      enqueue.assign({ mouth: { open: clamp(event.open, 0), form: clamp(event.form, -1) } });
    }),
    sendMouth: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'vts.inject', open: context.mouth.open, smile: smileOf(context.mouth.form, context.emotion) });
    }),
    closeMouth: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ mouth: { open: 0, form: 0 } });
      enqueue.emit({ type: 'vts.inject', open: 0, smile: smileOf(0, context.emotion) });
    }),
  },
}).createMachine({
  id: 'vts',
  context: ({ input }) => ({ mapping: input.hotkeys ?? {}, hasToken: input.hasToken, injectMs: input.injectMs ?? 33, hotkeys: [], toggledOn: undefined, emotion: 'neutral', mouth: { open: 0, form: 0 } }),
  initial: 'offline',
  on: {
    'vts.disconnected': { target: '.offline' },
    'vts.mouth': { actions: 'hearMouth' },
  },
  states: {
    offline: {
      on: {
        'vts.connected': [{ guard: 'hasToken', target: 'authenticating' }, { target: 'askingToken' }],
      },
    },
    askingToken: {
      entry: 'requestToken',
      on: {
        'vts.tokenGranted': { actions: 'tokenStored', target: 'authenticating' },
        'vts.tokenDenied': { actions: 'denied', target: 'denied' },
      },
    },
    authenticating: {
      entry: 'authenticate',
      on: {
        'vts.authenticated': { target: 'ready' },
        // The stored token was revoked in VTube Studio (or belongs to another install): ask again.
        'vts.authRefused': { actions: 'forgetToken', target: 'askingToken' },
      },
    },
    // Denied: nothing more is asked until the connection is made again (a restart of Pickle or VTS).
    denied: {},
    ready: {
      type: 'parallel',
      entry: 'listHotkeys',
      on: {
        'vts.hotkeys': { actions: 'takeHotkeys' },
        'avatar.emotion': { actions: 'feel' },
      },
      states: {
        lipSync: {
          initial: 'quiet',
          states: {
            quiet: { on: { 'avatar.speaking': { guard: 'speakingStarts', target: 'talking' } } },
            talking: {
              entry: 'sendMouth',
              after: { inject: { target: 'talking', reenter: true } },
              on: { 'avatar.speaking': { guard: 'speakingStops', actions: 'closeMouth', target: 'quiet' } },
            },
          },
        },
      },
    },
  },
});
