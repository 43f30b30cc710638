import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startRig, type Rig } from '../integration/harness.ts';
import { NO_BROWSER_SOURCE, NO_BROWSER_SOURCE_FIX } from '../../machines/obsConnection.ts';
import { OBS_29_DEBIAN_KINDS, startObsStandin, type ObsStandin } from '../standins/obs.ts';

/** Pickle with OBS: /health, "Add Pickle to OBS" through the API, scenes that mute Pickle, reconnect. */

let rig: Rig | undefined;
let obs: ObsStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await obs?.close();
  rig = obs = undefined;
});

interface Health {
  services: { service: string; state: string; detail: string; fix?: string }[];
}
const obsHealth = async (r: Rig) => ((await (await fetch(`${r.pickle.url}/health`)).json()) as Health).services.find((s) => s.service === 'obs');
const post = (r: Rig, path: string, headers: Record<string, string> = {}) => fetch(`${r.pickle.url}${path}`, { method: 'POST', headers });
/** Polls an async check until it gives a value (generous timeout; the order of events decides, not a clock). */
async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const obsState = (r: Rig, state: string) => until(async () => {
  const h = await obsHealth(r);
  return h?.state === state ? h : undefined;
}, `obs ${state}`);
const brainMuted = (r: Rig): boolean => r.pickle.orchestrator.system.get('brain')?.getSnapshot().context.muted === true;

describe('OBS in Pickle', () => {
  it('not configured: disabled with the step that enables it, and the button says so', async () => {
    rig = await startRig({ twitch: false });
    const h = await obsHealth(rig);
    expect(h?.state).toBe('disabled');
    expect(h?.fix).toContain('OBS_WEBSOCKET_PASSWORD');
    const res = await post(rig, '/api/obs/setup');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { fix: string }).fix).toContain('OBS_WEBSOCKET_PASSWORD');
  });

  it('up with version and scene; "Add Pickle to OBS" creates the source once, and a second call changes nothing', async () => {
    obs = await startObsStandin({ password: 'pw', obsVersion: '31.0.2' });
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: 'pw' } });
    await obsState(rig, 'up');
    await rig.waitFor(() => obs!.sessions.some((s) => s.identified), 5000, 'identified');
    const h = await obsHealth(rig);
    expect(h?.detail).toBe('OBS 31.0.2 · scene "Just Chatting"');
    expect(obs.sessions[0]?.encoding).toBe('msgpack');

    // A cross-site page cannot press the button.
    const foreign = await post(rig, '/api/obs/setup', { Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(obs.input('Pickle overlay')).toBeUndefined();

    const first = await post(rig, '/api/obs/setup');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ created: true, scene: 'Just Chatting' });
    expect(obs.input('Pickle overlay')).toEqual({
      kind: 'browser_source',
      settings: { url: `${rig.pickle.url}/overlay`, width: 1920, height: 1080, reroute_audio: true },
    });
    expect(obs.sceneItems('Just Chatting')).toEqual(['Pickle overlay']);

    const before = obs.requests.length;
    const second = await post(rig, '/api/obs/setup');
    expect(await second.json()).toMatchObject({ created: false, unchanged: true, updated: [], addedToScene: false });
    const writes = obs.requests.slice(before).filter((r) => /^(Set|Create|Remove)/.test(r.requestType));
    expect(writes).toEqual([]);
    expect(obs.sceneItems('Just Chatting')).toEqual(['Pickle overlay']);

    // Someone changed the size by hand and switched scenes: corrected, and added to the live scene.
    obs.switchScene('BRB');
    await until(async () => (await obsHealth(rig!))?.detail.includes('BRB'), 'scene');
    const third = (await (await post(rig, '/api/obs/setup')).json()) as Record<string, unknown>;
    expect(third).toMatchObject({ created: false, addedToScene: true, scene: 'BRB' });
    expect(obs.sceneItems('BRB')).toEqual(['Pickle overlay']);
  });

  it('an OBS without Browser Source (as Linux distributions ship it): degraded, and the button answers 409 with the step before trying', async () => {
    obs = await startObsStandin({ password: null, obsVersion: '29.0.2', obsWebSocketVersion: '5.1.0', inputKinds: OBS_29_DEBIAN_KINDS, scenes: ['Scene'] });
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url } });
    const h = await obsState(rig, 'degraded');
    expect(h.detail).toBe('OBS 29.0.2 · scene "Scene" · This OBS has no Browser Source (the obs-browser plugin is missing)');
    const res = await post(rig, '/api/obs/setup');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: NO_BROWSER_SOURCE, fix: NO_BROWSER_SOURCE_FIX });
    // Asked, not tried: OBS's raw 605 never reaches the streamer.
    expect(obs.requests.map((r) => r.requestType)).toContain('GetInputKindList');
    expect(obs.requests.some((r) => r.requestType === 'CreateInput')).toBe(false);
  });

  it('a mute scene mutes Pickle and the panel says why; leaving it unmutes; a mod\'s mute is kept', async () => {
    obs = await startObsStandin({ password: null });
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_MUTE_SCENES: 'BRB, Starting Soon' } });
    const panel = io(`${rig.pickle.url}/panel`, { transports: ['websocket'] });
    const notices: string[] = [];
    panel.on('transcript', (t: { kind: string; text: string }) => t.kind === 'notice' && notices.push(t.text));
    try {
      await rig.waitFor(() => obs!.sessions.some((s) => s.identified), 5000, 'identified');
      await rig.waitFor(() => panel.connected || undefined, 5000, 'panel');
      expect(brainMuted(rig)).toBe(false);
      obs.switchScene('BRB');
      await rig.waitFor(() => brainMuted(rig!) || undefined, 5000, 'muted');
      await rig.waitFor(() => notices.includes('muted: OBS scene "BRB" is live') || undefined, 5000, 'notice');
      expect(((await (await fetch(`${rig.pickle.url}/api/obs`)).json()) as { mutedByScene?: string }).mutedByScene).toBe('BRB');
      obs.switchScene('Just Chatting');
      await rig.waitFor(() => !brainMuted(rig!) || undefined, 5000, 'unmuted');
      // The panel's notice travels over its socket after the brain has unmuted: wait for it, as for the mute.
      await rig.waitFor(() => notices.includes('unmuted: OBS scene "Just Chatting" is live') || undefined, 5000, 'unmute notice');
      expect(notices).toContain('unmuted: OBS scene "Just Chatting" is live');

      // The streamer mutes Pickle from the panel during BRB: going live again keeps it muted.
      obs.switchScene('BRB');
      await rig.waitFor(() => brainMuted(rig!) || undefined, 5000, 'muted again');
      expect((await post(rig, '/api/control/mute')).status).toBe(202);
      obs.switchScene('Just Chatting');
      await until(async () => (await obsHealth(rig!))?.detail.includes('Just Chatting'), 'scene back');
      // A later event through the same path: the brain has seen the switch by now.
      await fetch(`${rig.pickle.url}/api/obs`);
      expect(brainMuted(rig)).toBe(true);
    } finally {
      panel.close();
    }
  });

  it('wrong password: down naming OBS_WEBSOCKET_PASSWORD; OBS not running: the enable step; reconnects by itself', async () => {
    obs = await startObsStandin({ password: 'right' });
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: 'wrong' } });
    const refused = await obsState(rig, 'down');
    expect(refused.fix).toContain('OBS_WEBSOCKET_PASSWORD');
    expect(obs.sessions[0]?.closeCode).toBe(4009);
    expect(JSON.stringify(refused)).not.toContain('wrong');
    await rig.stop();

    // OBS closed: the enable step; then OBS opens and Pickle comes up without being asked.
    await obs.stop();
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: 'right' } });
    const down = await obsState(rig, 'down');
    expect(down.fix).toContain('Tools → WebSocket Server Settings → Enable');
    await obs.restart();
    await obsState(rig, 'up');
  });
  it('a dropped connection comes back by itself; a kick from OBS (4011) waits for the button', async () => {
    obs = await startObsStandin({ password: null });
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url } });
    await obsState(rig, 'up');
    // OBS crashes and comes back: Pickle reconnects without being asked.
    await obs.stop();
    await obsState(rig, 'down');
    await obs.restart();
    await obsState(rig, 'up');
    const sessions = obs.sessions.length;

    obs.kick();
    const kicked = await obsState(rig, 'down');
    expect(kicked.detail).toContain('kicked');
    expect(kicked.fix).toContain('Add Pickle to OBS');
    // Longer than the first retry delays: still no new session.
    await new Promise((r) => setTimeout(r, 2500));
    expect(obs.sessions.length).toBe(sessions);
    const res = await post(rig, '/api/obs/setup');
    expect(res.status).toBe(200);
    expect(obs.sessions.length).toBe(sessions + 1);
    await obsState(rig, 'up');
  }, 30_000);
});
