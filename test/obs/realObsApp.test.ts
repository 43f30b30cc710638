import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OBSWebSocket from 'obs-websocket-js';
import { parseEnv } from '../../src/config/env.ts';
import { obsCheck } from '../../src/doctor/checks/obs.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { realObsUnavailable, startRealObs, type RealObs } from './realObs.ts';

/**
 * Pickle against a real OBS: Debian's obs-studio 29 (obs-websocket 5.1, no obs-browser plugin)
 * under Xvfb. Login, a refused password, scene mute with real scene switches, the "no Browser
 * Source" answer on /health, the setup button and the doctor, and OBS closed and reopened.
 * Creating the browser source stays with the stand-in (test/obs/app.test.ts), which has the kind.
 */
const unavailable = realObsUnavailable();
if (unavailable) console.log(`real OBS: skipped: ${unavailable}`);

interface ServiceLine {
  service: string;
  state: string;
  detail: string;
  fix?: string;
}
const obsHealth = async (r: Rig): Promise<ServiceLine | undefined> =>
  ((await (await fetch(`${r.pickle.url}/health`)).json()) as { services: ServiceLine[] }).services.find((s) => s.service === 'obs');

/** Polls until the check gives a value; the order of events decides, the timeout only ends a hung test. */
async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const obsState = (r: Rig, state: string) => until(async () => ((await obsHealth(r))?.state === state ? obsHealth(r) : undefined), `obs ${state}`);
const brainMuted = (r: Rig): boolean => r.pickle.orchestrator.system.get('brain')?.getSnapshot().context.muted === true;

/** The streamer's hands on OBS: a second obs-websocket client, as a scene switcher or Stream Deck is. */
async function streamer(obs: RealObs): Promise<OBSWebSocket> {
  const hands = new OBSWebSocket();
  await hands.connect(obs.url, obs.password);
  return hands;
}

describe.skipIf(unavailable !== undefined)('Pickle with a real OBS 29 (no Browser Source)', () => {
  let obs: RealObs;
  let rig: Rig | undefined;
  beforeAll(async () => {
    obs = await startRealObs();
    const hands = await streamer(obs);
    await hands.call('CreateScene', { sceneName: 'BRB' });
    await hands.disconnect();
  }, 90_000);
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });
  afterAll(async () => {
    await obs?.close();
  });

  it('logs in; /health says degraded naming the missing plugin; the setup button answers 409 with the step; the doctor says ✗', async () => {
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: obs.password } });
    const h = await obsState(rig, 'degraded');
    expect(h.detail).toMatch(/^OBS 29\.\d+\.\d+ · scene "Scene" · This OBS has no Browser Source \(the obs-browser plugin is missing\)$/);
    expect(h.fix).toBe("OBS from your distribution's packages often lacks it: install OBS from obsproject.com, its Flatpak, or its PPA");

    const res = await fetch(`${rig.pickle.url}/api/obs/setup`, { method: 'POST' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; fix?: string };
    expect(body.error).toBe(
      "This OBS has no Browser Source (the obs-browser plugin is missing). OBS from your distribution's packages often lacks it: install OBS from obsproject.com, its Flatpak, or its PPA",
    );
    expect(JSON.stringify(body)).not.toMatch(/Your specified input kind/);

    const doctor = await obsCheck(parseEnv({ OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: obs.password })).run(new AbortController().signal);
    expect(doctor).toMatchObject({ mark: 'fail', name: 'OBS', fix: h.fix });
    expect(JSON.stringify(doctor)).toContain('This OBS has no Browser Source');
  }, 40_000);

  it('a wrong password: down naming OBS_WEBSOCKET_PASSWORD, and the password is never shown', async () => {
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: 'not-the-password' } });
    const h = await obsState(rig, 'down');
    expect(h.fix).toContain('OBS_WEBSOCKET_PASSWORD');
    expect(h.detail).toContain('Authentication failed');
    expect(JSON.stringify(h)).not.toContain('not-the-password');
  }, 40_000);

  it('switching to a mute scene in OBS mutes Pickle; switching back unmutes it', async () => {
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: obs.password, OBS_MUTE_SCENES: 'BRB' } });
    const r = rig;
    await obsState(r, 'degraded');
    const hands = await streamer(obs);
    try {
      expect(brainMuted(r)).toBe(false);
      await hands.call('SetCurrentProgramScene', { sceneName: 'BRB' });
      await until(() => brainMuted(r), 'muted by BRB');
      expect(((await (await fetch(`${r.pickle.url}/api/obs`)).json()) as { mutedByScene?: string }).mutedByScene).toBe('BRB');
      await hands.call('SetCurrentProgramScene', { sceneName: 'Scene' });
      await until(() => !brainMuted(r), 'unmuted');
      await until(async () => (await obsHealth(r))?.detail.includes('scene "Scene"'), 'scene on /health');
    } finally {
      await hands.disconnect();
    }
  }, 40_000);

  it('OBS closed: down with the enable step; reopened: Pickle reconnects by itself', async () => {
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: obs.password } });
    const r = rig;
    await obsState(r, 'degraded');
    await obs.stop();
    const down = await obsState(r, 'down');
    expect(down.fix).toContain('Enable WebSocket server');
    await obs.start();
    const back = await obsState(r, 'degraded');
    expect(back.detail).toContain('OBS 29.');
  }, 60_000);
});
