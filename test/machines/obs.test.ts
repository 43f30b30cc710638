import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { NO_BROWSER_SOURCE_FIX, obsConnectionMachine, OBS_ENABLE_FIX, type ObsConnectionEmitted } from '../../machines/obsConnection.ts';
import { isMuteScene, sceneMuteMachine } from '../../machines/sceneMute.ts';
import { harness } from './harness.ts';

function connection(input = {}) {
  const actor = createActor(obsConnectionMachine, { input: { url: 'ws://127.0.0.1:4455', ...input } });
  const out: ObsConnectionEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  actor.send({ type: 'obs.start' });
  const connects = () => out.filter((e) => e.type === 'obs.connect').length;
  const last = () => out.filter((e) => e.type === 'obs.status').at(-1);
  return { actor, out, connects, last };
}

describe('obsConnection: connect, report, reconnect by itself', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for a connection at once and reports starting, then up with version and scene', () => {
    const c = connection();
    expect(c.connects()).toBe(1);
    expect(c.last()).toMatchObject({ state: 'starting' });
    c.actor.send({ type: 'obs.connected', obsVersion: '31.0.2', scene: 'Just Chatting', browserSource: true });
    expect(c.last()).toEqual({ type: 'obs.status', state: 'up', detail: 'OBS 31.0.2 · scene "Just Chatting"' });
    c.actor.send({ type: 'obs.scene', name: 'BRB' });
    expect(c.last()?.detail).toBe('OBS 31.0.2 · scene "BRB"');
  });

  it('an OBS without Browser Source: degraded, naming the missing plugin and where to get OBS; scenes still reported', () => {
    const c = connection();
    c.actor.send({ type: 'obs.connected', obsVersion: '29.0.2', scene: 'Scene', browserSource: false });
    expect(c.last()).toEqual({
      type: 'obs.status',
      state: 'degraded',
      detail: 'OBS 29.0.2 · scene "Scene" · This OBS has no Browser Source (the obs-browser plugin is missing)',
      fix: NO_BROWSER_SOURCE_FIX,
    });
    expect(NO_BROWSER_SOURCE_FIX).toContain('obsproject.com');
    c.actor.send({ type: 'obs.scene', name: 'BRB' });
    expect(c.last()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('scene "BRB"') });
    // Reconnected to an OBS that has it (the streamer installed OBS from obsproject.com): up.
    c.actor.send({ type: 'obs.closed', failure: 'unreachable', detail: 'connection lost (1006)' });
    vi.advanceTimersByTime(1000);
    c.actor.send({ type: 'obs.connected', obsVersion: '31.0.2', scene: 'Scene', browserSource: true });
    expect(c.last()).toMatchObject({ state: 'up' });
  });

  it('OBS still loading (207 right after login): says so, and retries by itself', () => {
    const c = connection();
    c.actor.send({ type: 'obs.failed', failure: 'notReady', detail: 'OBS is not ready yet' });
    expect(c.last()).toMatchObject({ state: 'down', detail: expect.stringContaining('still starting or loading a scene collection') });
    vi.advanceTimersByTime(1000);
    expect(c.connects()).toBe(2);
  });

  it('OBS not running: down with the enable step, retries 1 s, 2 s, 4 s … capped at 15 s, forever', () => {
    const c = connection();
    const fail = () => c.actor.send({ type: 'obs.failed', failure: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:4455' });
    fail();
    expect(c.last()).toMatchObject({ state: 'down', fix: OBS_ENABLE_FIX });
    expect(c.last()?.detail).toContain('ws://127.0.0.1:4455');
    const gaps = [1000, 2000, 4000, 8000, 15000, 15000];
    for (const [i, gap] of gaps.entries()) {
      vi.advanceTimersByTime(gap - 1);
      expect(c.connects()).toBe(i + 1);
      vi.advanceTimersByTime(1);
      expect(c.connects()).toBe(i + 2);
      fail();
    }
    // Success resets the back-off: a later drop retries after 1 s again.
    vi.advanceTimersByTime(15000);
    c.actor.send({ type: 'obs.connected', obsVersion: '31', scene: 'S', browserSource: true });
    const n = c.connects();
    c.actor.send({ type: 'obs.closed', failure: 'unreachable', detail: 'connection lost (1006)' });
    vi.advanceTimersByTime(1000);
    expect(c.connects()).toBe(n + 1);
  });

  it('a refused password names OBS_WEBSOCKET_PASSWORD and retries slowly', () => {
    const c = connection({ authRetryMs: 30_000 });
    c.actor.send({ type: 'obs.failed', failure: 'auth', detail: 'Authentication failed.' });
    expect(c.last()).toMatchObject({ state: 'down' });
    expect(c.last()?.fix).toContain('OBS_WEBSOCKET_PASSWORD');
    vi.advanceTimersByTime(29_999);
    expect(c.connects()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(c.connects()).toBe(2);
  });

  it('kicked from OBS (4011): no automatic reconnect, only on obs.retry', () => {
    const c = connection();
    c.actor.send({ type: 'obs.connected', obsVersion: '31', scene: 'S', browserSource: true });
    c.actor.send({ type: 'obs.closed', failure: 'kicked', detail: 'Your session has been invalidated.' });
    vi.advanceTimersByTime(10 * 60_000);
    expect(c.connects()).toBe(1);
    c.actor.send({ type: 'obs.retry' });
    expect(c.connects()).toBe(2);
  });

  it('obs.retry while waiting connects at once instead of waiting out the delay', () => {
    const c = connection();
    c.actor.send({ type: 'obs.failed', failure: 'unreachable', detail: 'x' });
    c.actor.send({ type: 'obs.retry' });
    expect(c.connects()).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(c.connects()).toBe(2);
  });
});

/** Under a recording parent, as the orchestrator runs it: `scene.live` goes to the parent. */
function sceneMute(muteScenes = ['BRB', 'Starting Soon']) {
  const h = harness(sceneMuteMachine, { muteScenes });
  const scene = (name: string) => h.send({ type: 'obs.scene', name });
  return { send: h.send, out: h.out, scene };
}

describe('sceneMute: whether the live scene is one that mutes Pickle', () => {
  it('names compare without case or surrounding spaces', () => {
    expect(isMuteScene(' brb ', ['BRB'])).toBe(true);
    expect(isMuteScene('BRB 2', ['BRB'])).toBe(false);
    expect(isMuteScene(undefined, ['BRB'])).toBe(false);
  });

  it('every switch says whether the live scene mutes, the first one on connect included', () => {
    const m = sceneMute();
    m.scene('brb');
    m.scene('Just Chatting');
    m.scene('Starting Soon');
    expect(m.out).toEqual([
      { type: 'scene.live', scene: 'brb', mutes: true },
      { type: 'scene.live', scene: 'Just Chatting', mutes: false },
      { type: 'scene.live', scene: 'Starting Soon', mutes: true },
    ]);
  });

  it('a new list of mute scenes applies to the scene that is live; before any scene, nothing is said', () => {
    const m = sceneMute([]);
    m.send({ type: 'muteScenes.changed', scenes: ['Intermission'] });
    expect(m.out).toEqual([]);
    m.scene('Intermission');
    m.send({ type: 'muteScenes.changed', scenes: [] });
    expect(m.out).toEqual([
      { type: 'scene.live', scene: 'Intermission', mutes: true },
      { type: 'scene.live', scene: 'Intermission', mutes: false },
    ]);
  });
});
