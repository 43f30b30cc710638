import type { ViewerKey } from '../events.ts';

/**
 * Viewers who keep baiting (pure): a viewer whose asks led to `strikes` blocked replies within
 * `windowMs` is not answered for `silenceMs`. Time comes from the events (message timestamps),
 * never from a clock, so the rule is replayable and testable with fake timers.
 */

export interface BaitingRule {
  strikes: number;
  windowMs: number;
  silenceMs: number;
}

export const DEFAULT_BAITING_RULE: BaitingRule = { strikes: 3, windowMs: 10 * 60_000, silenceMs: 10 * 60_000 };

export interface BaitingState {
  /** Times of recent blocked replies per viewer (only inside the window are kept). */
  strikes: Readonly<Record<ViewerKey, readonly number[]>>;
  /** Silenced viewers and until when. */
  silenced: Readonly<Record<ViewerKey, number>>;
}

export const noBaiting: BaitingState = { strikes: {}, silenced: {} };

function without<T>(record: Readonly<Record<ViewerKey, T>>, key: ViewerKey): Record<ViewerKey, T> {
  const copy: Record<ViewerKey, T> = { ...record };
  delete copy[key];
  return copy;
}

/** Viewers tracked at most (a raid of trolls must not grow this without bound). */
const MAX_TRACKED = 2000;

/** A reply the viewer asked for was blocked at `at`: one strike; the last strike silences. */
export function strike(state: BaitingState, viewer: ViewerKey, at: number, rule: BaitingRule): { state: BaitingState; silencedUntil?: number } {
  const recent = [...(state.strikes[viewer] ?? []).filter((t) => at - t < rule.windowMs), at];
  if (recent.length >= rule.strikes) {
    const strikes = without(state.strikes, viewer);
    const until = at + rule.silenceMs;
    return { state: { strikes, silenced: { ...state.silenced, [viewer]: until } }, silencedUntil: until };
  }
  let strikes: Record<ViewerKey, readonly number[]> = { ...state.strikes, [viewer]: recent };
  const keys = Object.keys(strikes) as ViewerKey[];
  if (keys.length > MAX_TRACKED) strikes = Object.fromEntries(keys.slice(keys.length - MAX_TRACKED).map((k) => [k, strikes[k]!]));
  return { state: { ...state, strikes } };
}

export const isSilenced = (state: BaitingState, viewer: ViewerKey, at: number): boolean => (state.silenced[viewer] ?? -Infinity) > at;

/** The streamer lifts it (or it ran out): strikes are forgotten too. */
export function lift(state: BaitingState, viewer: ViewerKey): BaitingState {
  return { strikes: without(state.strikes, viewer), silenced: without(state.silenced, viewer) };
}

/** Silences that ran out by `at`. */
export const expired = (state: BaitingState, at: number): ViewerKey[] =>
  (Object.keys(state.silenced) as ViewerKey[]).filter((v) => state.silenced[v]! <= at);

/** `!unblock name` / the panel give a login or a `platform:login` key: the keys it means. */
export function keysFor(state: BaitingState, who: string): ViewerKey[] {
  const name = who.trim().toLowerCase().replace(/^@/, '');
  return (Object.keys(state.silenced) as ViewerKey[]).filter((k) => k === name || k.slice(k.indexOf(':') + 1) === name);
}
