/**
 * Pickle against a VTube Studio stand-in speaking the real envelope: the first login asks for a
 * token (stored 0600) and tells the streamer to click Allow; a denial is `vts: down` with the step;
 * a happy reply triggers the hotkey named like the emotion; MouthOpen arrives at ≥ 20 Hz while
 * Pickle speaks and stops after; a dropped socket reconnects and authenticates with the stored token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startRig, type Rig } from '../integration/harness.ts';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';
import { startVtsStandin, type VtsStandin } from '../standins/vts.ts';

const KEY = 'dg-vts-key-0000000000';

let rig: Rig | undefined;
let vts: VtsStandin | undefined;
let dg: DeepgramStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await vts?.close();
  await dg?.close();
  rig = vts = dg = undefined;
});

const HOTKEYS = [
  { name: 'Happy', type: 'ToggleExpression', hotkeyID: 'hk-happy' },
  { name: 'Sad', type: 'ToggleExpression', hotkeyID: 'hk-sad' },
];
const vtsStatus = (r: Rig) => r.pickle.status.get('vts');

describe('VTube Studio', () => {
  it('token flow, the happy hotkey, MouthOpen at ≥ 20 Hz while speaking, and a reconnect with the stored token', async () => {
    vts = await startVtsStandin({ hotkeys: HOTKEYS, modelName: 'Hiyori', clickDelayMs: 200 });
    const v = vts;
    // A real voice (TTS audio), so Pickle speaks for as long as the audio lasts.
    dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 20, msPerChar: 30 });
    rig = await startRig({
      twitch: false,
      ollama: { responder: () => ({ emotion: 'happy', text: 'Oh that is lovely news, I am so glad to hear it, truly wonderful!' }) },
      env: { AVATAR: 'vts', VTS_URL: v.url, DEEPGRAM_API_KEY: KEY, DEEPGRAM_URL: dg.url },
    });
    const r = rig;
    const console = () => r.console.join('\n');
    await r.waitFor(() => /click Allow in VTube Studio/.test(console()), 5000, 'the console asking for Allow');
    await r.waitFor(() => vtsStatus(r)?.state === 'up', 5000, 'vts up');
    expect(vtsStatus(r)?.detail).toContain('Hiyori');
    expect(v.tokensIssued()).toBe(1);
    expect(statSync(join(r.dataDir, 'vts-token.json')).mode & 0o777).toBe(0o600);

    // The overlay reports its mouth (as audio.js would while the voice plays).
    const mouthTimer = setInterval(() => r.overlay.emit('mouth', { open: 0.7, form: 0.4 }), 40);
    const speaking: Array<{ value: boolean; t: number }> = [];
    r.pickle.orchestrator.on('avatar.speaking', (e) => speaking.push({ value: e.value, t: Date.now() }));
    await fetch(`${r.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    await fetch(`${r.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text: 'pickle I got the job!' }) });
    await r.waitFor(() => speaking.some((s) => !s.value), 20_000, 'the reply to be spoken');
    clearInterval(mouthTimer);
    await new Promise((res) => setTimeout(res, 1200));
    expect(v.triggered()).toContain('hk-happy');

    const start = speaking.find((s) => s.value)!.t;
    const end = speaking.find((s) => !s.value)!.t;
    const opens = v.injected().filter(([, id]) => id === 'MouthOpen');
    const during = opens.filter(([t]) => t >= start && t <= end);
    const hz = during.length / ((end - start) / 1000);
    process.stdout.write(`MouthOpen: ${during.length} values over ${end - start} ms = ${hz.toFixed(1)} Hz; peak ${Math.max(...during.map(([, , x]) => x))}\n`);
    expect(end - start).toBeGreaterThan(1000);
    expect(hz).toBeGreaterThanOrEqual(20);
    expect(Math.max(...during.map(([, , x]) => x))).toBeCloseTo(0.7);
    // After: one close (0), then nothing.
    const after = opens.filter(([t]) => t > end + 100);
    expect(after).toEqual([]);
    expect(opens.at(-1)?.[2]).toBe(0);
    expect(v.injected().some(([, id]) => id === 'MouthSmile')).toBe(true);

    // Dropped: back with the stored token, no second Allow.
    const authsBefore = v.requests().filter((t) => t === 'AuthenticationRequest').length;
    v.dropAll();
    await r.waitFor(() => vtsStatus(r)?.state !== 'up', 5000, 'vts noticing the drop');
    await r.waitFor(() => vtsStatus(r)?.state === 'up', 15_000, 'vts up again');
    expect(v.requests().filter((t) => t === 'AuthenticationRequest').length).toBe(authsBefore + 1);
    expect(v.requests().filter((t) => t === 'AuthenticationTokenRequest').length).toBe(1);
    expect(v.tokensIssued()).toBe(1);
  }, 60_000);

  it('a denied token is vts: down with the step, and nothing else is asked', async () => {
    vts = await startVtsStandin({ hotkeys: HOTKEYS, allow: false });
    rig = await startRig({ twitch: false, env: { AVATAR: 'vts', VTS_URL: vts.url } });
    const r = rig;
    await r.waitFor(() => vtsStatus(r)?.state === 'down', 5000, 'vts down');
    expect(vtsStatus(r)?.detail).toMatch(/denied/);
    expect(vtsStatus(r)?.fix).toMatch(/click Allow/);
    const health = (await (await fetch(`${r.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string }> };
    expect(health.services.find((s) => s.service === 'vts')?.state).toBe('down');
    expect(vts.requests()).toEqual(['AuthenticationTokenRequest']);
  }, 30_000);
});
