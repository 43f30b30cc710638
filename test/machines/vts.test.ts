/**
 * VTube Studio's decisions with fake timers: the token flow (asked once, denied stays denied,
 * a revoked token asks again), which hotkey an emotion triggers, and the mouth sent at 20 Hz
 * while speaking, closed once after, nothing in silence.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { hotkeyFor, vtsMachine, type VtsEmitted, type VtsHotkey, type VtsInput } from '../../machines/vts.ts';

const HOTKEYS: VtsHotkey[] = [
  { name: 'Smile', id: 'hk-smile', type: 'ToggleExpression' },
  { name: 'SAD', id: 'hk-sad', type: 'ToggleExpression' },
  { name: 'Wave', id: 'hk-wave', type: 'TriggerAnimation' },
];

function start(input: VtsInput) {
  const actor = createActor(vtsMachine, { input });
  const out: VtsEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const types = () => out.map((e) => e.type);
  return { actor, out, types };
}

describe('vts machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('first login asks for a token and the streamer to click Allow; granted → authenticated → hotkeys listed', () => {
    const v = start({ hasToken: false });
    v.actor.send({ type: 'vts.connected' });
    expect(v.types()).toEqual(['vts.requestToken', 'vts.askingAllow']);
    v.actor.send({ type: 'vts.tokenGranted' });
    expect(v.types().at(-1)).toBe('vts.authenticate');
    v.actor.send({ type: 'vts.authenticated' });
    expect(v.types().at(-1)).toBe('vts.listHotkeys');
    // Dropped and back: the stored token is used, no new request.
    v.actor.send({ type: 'vts.disconnected' });
    v.out.length = 0;
    v.actor.send({ type: 'vts.connected' });
    expect(v.types()).toEqual(['vts.authenticate']);
  });

  it('a denied token stays denied until the next connection; a revoked stored token asks again', () => {
    const v = start({ hasToken: false });
    v.actor.send({ type: 'vts.connected' });
    v.actor.send({ type: 'vts.tokenDenied', message: 'User has denied API access for your plugin.' });
    expect(v.out.at(-1)).toEqual({ type: 'vts.denied', message: 'User has denied API access for your plugin.' });
    expect(v.actor.getSnapshot().value).toBe('denied');
    v.actor.send({ type: 'avatar.emotion', value: 'happy' });
    expect(v.types().filter((t) => t === 'vts.trigger')).toEqual([]);

    const w = start({ hasToken: true });
    w.actor.send({ type: 'vts.connected' });
    w.actor.send({ type: 'vts.authRefused', reason: 'Token invalid.' });
    expect(w.types()).toEqual(['vts.authenticate', 'vts.forgetToken', 'vts.requestToken', 'vts.askingAllow']);
  });

  it("an emotion triggers the persona's hotkey, else one named like it (any case); missing names are listed once; a toggled expression is toggled off on change", () => {
    expect(hotkeyFor('happy', { happy: 'smile' }, HOTKEYS)?.id).toBe('hk-smile');
    expect(hotkeyFor('sad', {}, HOTKEYS)?.id).toBe('hk-sad');
    expect(hotkeyFor('angry', {}, HOTKEYS)).toBeUndefined();
    const v = start({ hasToken: true, hotkeys: { happy: 'Smile', angry: 'Frown' } });
    v.actor.send({ type: 'vts.connected' });
    v.actor.send({ type: 'vts.authenticated' });
    v.actor.send({ type: 'vts.hotkeys', model: 'Hiyori', hotkeys: HOTKEYS });
    expect(v.out.at(-1)).toEqual({ type: 'vts.ready', model: 'Hiyori', missing: ['Frown'] });
    v.actor.send({ type: 'avatar.emotion', value: 'happy' });
    v.actor.send({ type: 'avatar.emotion', value: 'happy' });
    v.actor.send({ type: 'avatar.emotion', value: 'sad' });
    v.actor.send({ type: 'avatar.emotion', value: 'angry' });
    expect(v.out.filter((e) => e.type === 'vts.trigger').map((e) => (e.type === 'vts.trigger' ? e.hotkeyId : ''))).toEqual(['hk-smile', 'hk-smile', 'hk-sad', 'hk-sad']);
  });

  it('the mouth goes out every 33 ms while speaking (≥ 20 Hz, so VTube Studio never reverts it), is closed once after, and nothing is sent in silence', () => {
    const v = start({ hasToken: true });
    v.actor.send({ type: 'vts.connected' });
    v.actor.send({ type: 'vts.authenticated' });
    const injects = () => v.out.filter((e) => e.type === 'vts.inject');
    vi.advanceTimersByTime(5000);
    expect(injects()).toEqual([]);
    v.actor.send({ type: 'vts.mouth', open: 0.6, form: 0.5 });
    v.actor.send({ type: 'avatar.speaking', value: true });
    vi.advanceTimersByTime(1000);
    expect(injects().length).toBeGreaterThanOrEqual(20);
    expect(injects().at(-1)).toMatchObject({ open: 0.6 });
    v.actor.send({ type: 'avatar.speaking', value: false });
    const after = injects().length;
    expect(injects().at(-1)).toMatchObject({ open: 0 });
    vi.advanceTimersByTime(5000);
    expect(injects().length).toBe(after);
  });
});
