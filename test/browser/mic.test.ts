import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PickleEvent } from '../../machines/events.ts';
import { findBrowser } from '../../src/vision/chrome.ts';
import { startRig, type Rig, type RigOptions } from '../integration/harness.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin, type ScriptStep } from '../standins/deepgramLive.ts';
import { hasEspeak, sleep, speechWav } from '../stt/audioFixtures.ts';
import { RED, writeY4m } from '../standins/camera.ts';
import { browserDescendants, hasProc } from '../vision/procs.ts';

/**
 * The microphone through Pickle's hidden browser, end to end: the system Chromium hears an
 * espeak-ng WAV through its fake microphone, the mic page's AudioWorklet makes 16 kHz PCM16,
 * and the real @deepgram/sdk client sends it to the Deepgram live stand-in, which analyses it.
 * Then the senses as settings: ears off (CloseStream, browser gone), kept off across a restart.
 */

const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });

let rig: Rig | undefined;
let dg: DeepgramLiveStandin | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await rig?.stop();
  await dg?.close();
  rig = dg = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const heard: ScriptStep[] = [{ at: { audioMs: 1500 }, do: { type: 'Results', transcript: "Pickle, what's up?", is_final: true, speech_final: true } }];

async function micRig(wav: string, opts: { dataDir?: string; script?: ScriptStep[]; env?: Record<string, string>; tuning?: RigOptions['tuning'] } = {}) {
  dg ??= await startDeepgramLiveStandin({ script: opts.script ?? [] });
  const r = await startRig({
    twitch: false,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    env: {
      DEEPGRAM_API_KEY: dg.key,
      DEEPGRAM_URL: dg.url,
      AUDIO_INPUT: 'browser',
      CHROME_PATH: chrome!.path,
      CHROME_ARGS: `--use-fake-device-for-media-stream --use-file-for-fake-audio-capture="${wav}"`,
      ...opts.env,
    },
    tuning: { stt: { keepAliveMs: 1000, closeTimeoutMs: 1000 }, ...opts.tuning },
  });
  const seen: PickleEvent[] = [];
  r.pickle.orchestrator.on('*', (e) => seen.push(e as PickleEvent));
  return { rig: r, seen };
}

const put = (r: Rig, body: unknown) =>
  fetch(`${r.pickle.url}/api/settings/senses`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const health = async (r: Rig) => (await (await fetch(`${r.pickle.url}/health`)).json()) as { services?: Array<{ service: string; state: string; fix?: string }> } & Record<string, unknown>;
const browserAlive = (pid: number | undefined) => pid !== undefined && existsSync(`/proc/${pid}`);

describe.runIf(chrome && hasEspeak)('ears through the browser (real Chromium, fake microphone)', { timeout: 90_000 }, () => {
  it('espeak speech arrives at Deepgram as 16 kHz mono PCM16 with speech energy, and Pickle answers it', async () => {
    const wav = await speechWav("Pickle, what's up? I am talking through the browser microphone.", 'mic.wav');
    const t = await micRig(wav, { script: heard });
    rig = t.rig;
    const reply = rig.ollama.nextStream();
    const conn = await rig.waitFor(() => dg!.connections[0], 20_000, 'a Deepgram connection');
    await rig.waitFor(() => conn.audioMs() >= 2000, 30_000, 'two seconds of microphone audio');
    expect(conn.query).toMatchObject({ encoding: 'linear16', sample_rate: '16000', channels: '1' });
    const a = conn.analysis();
    expect(a.plausiblePcm16).toBe(true);
    expect(a.partialSampleFrames).toBe(0);
    // Speech, not silence: clear energy, and its zero crossings in the voice band at the declared rate.
    expect(a.rms).toBeGreaterThan(300);
    expect(a.zeroCrossingHz).toBeGreaterThan(80);
    expect(a.zeroCrossingHz).toBeLessThan(4000);
    // Real time from a live source: about one second of audio per second.
    await sleep(2000);
    const b = conn.analysis();
    expect(b.realtimeFactor).toBeGreaterThan(0.7);
    expect(b.realtimeFactor).toBeLessThan(1.4);
    const said = JSON.parse((await reply).content).text as string;
    await rig.waitFor(() => rig!.captions().includes(said), 10_000, 'the reply caption');
    expect(JSON.stringify(rig.ollama.chatRequests()[0]?.messages)).toContain("Pickle, what's up?");
    expect(rig.pickle.status.get('stt')).toMatchObject({ state: 'up' });
    expect(rig.pickle.status.get('stt')!.detail).toMatch(/hearing microphone ".+"/);
  });

  it('AUDIO_INPUT_DEVICE naming no microphone: stt down with the names found and the fix', async () => {
    const wav = await speechWav('Hello there.', 'hello.wav');
    const t = await micRig(wav, { env: { AUDIO_INPUT_DEVICE: 'Blue Yeti' } });
    rig = t.rig;
    await rig.waitFor(() => rig!.pickle.status.get('stt')?.detail.includes('no microphone named like'), 20_000, 'stt down: no such microphone');
    const s = rig.pickle.status.get('stt')!;
    expect(s.state).toBe('down');
    expect(s.detail).toMatch(/no microphone named like "Blue Yeti" \(found ".+"\)/);
    expect(s.fix).toMatch(/--list-devices/);
  });
});

describe.runIf(chrome && hasEspeak && hasProc)('senses as settings (real Chromium, Deepgram stand-in)', { timeout: 120_000 }, () => {
  it('ears off: CloseStream and closed within 1 s, the browser exits, /health says paused; off again after a restart; on again reconnects', async () => {
    const wav = await speechWav('Testing one two three.', 'senses.wav');
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-senses-'));
    dirs.push(dataDir);
    let t = await micRig(wav, { dataDir });
    rig = t.rig;
    const conn = await rig.waitFor(() => dg!.connections[0], 20_000, 'a Deepgram connection');
    await rig.waitFor(() => conn.audioMs() > 300, 20_000, 'microphone audio');
    const pid = rig.pickle.browserPid();
    expect(browserAlive(pid)).toBe(true);
    expect(browserDescendants(process.pid).length).toBeGreaterThan(0);

    const asked = Date.now();
    const res = await put(rig, { ears: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ears: false, eyes: true });
    const closed = await conn.waitForClose(5000);
    expect(Date.now() - asked).toBeLessThan(1000);
    expect(conn.closeStream).toBe(true);
    expect(closed).toMatchObject({ code: 1000 });
    // The microphone page was the only user: the browser is gone, nothing records.
    await rig.waitFor(() => !browserAlive(pid), 5000, 'the browser to exit');
    expect(rig.pickle.browserPid()).toBeUndefined();
    const bytes = conn.audioMs();
    await sleep(500);
    expect(conn.audioMs()).toBe(bytes);
    expect(t.seen.filter((e) => e.type === 'senses.changed')).toEqual([{ type: 'senses.changed', ears: false, eyes: true }]);
    const stt = (await health(rig)).services?.find((s) => s.service === 'stt');
    expect(stt).toMatchObject({ state: 'paused' });
    expect(stt!.fix).toMatch(/!privacy off/);

    // A restart (the same data folder): ears stay off, no Deepgram stream, no browser.
    await rig.stop();
    rig = undefined;
    t = await micRig(wav, { dataDir });
    rig = t.rig;
    await sleep(1500);
    expect(dg!.connections).toHaveLength(1);
    expect(rig.pickle.browserPid()).toBeUndefined();
    expect(browserDescendants(process.pid)).toEqual([]);
    expect(rig.pickle.status.get('stt')).toMatchObject({ state: 'paused' });

    // Ears on: a new stream, the microphone heard again.
    expect((await put(rig, { ears: true })).status).toBe(200);
    const again = await rig.waitFor(() => dg!.connections[1], 20_000, 'a new Deepgram connection');
    await rig.waitFor(() => again.audioMs() > 300, 20_000, 'microphone audio again');
    expect(again.analysis().plausiblePcm16).toBe(true);
    await rig.waitFor(() => rig!.pickle.status.get('stt')?.state === 'up', 10_000, 'stt up');
  });

  it('!privacy from the broadcaster turns both off (and is saved); !privacy off turns them back on', async () => {
    const wav = await speechWav('Testing one two three.', 'privacy.wav');
    const t = await micRig(wav);
    rig = t.rig;
    const conn = await rig.waitFor(() => dg!.connections[0], 20_000, 'a Deepgram connection');
    await rig.waitFor(() => conn.audioMs() > 300, 20_000, 'microphone audio');
    const chat = (text: string) =>
      fetch(`${rig!.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'streamer', text }) });
    await chat('!privacy');
    await conn.waitForClose(5000);
    expect(conn.closeStream).toBe(true);
    await rig.waitFor(() => rig!.pickle.browserPid() === undefined, 5000, 'no browser');
    expect(JSON.parse(await (await fetch(`${rig.pickle.url}/api/settings/senses`)).text())).toEqual({ ears: false, eyes: false });
    expect(t.seen.filter((e) => e.type === 'senses.changed')).toEqual([{ type: 'senses.changed', ears: false, eyes: false }]);
    await chat('!privacy off');
    await rig.waitFor(() => dg!.connections[1], 20_000, 'a new Deepgram connection');
    expect(JSON.parse(await (await fetch(`${rig.pickle.url}/api/settings/senses`)).text())).toEqual({ ears: true, eyes: true });
  });
});

describe.runIf(chrome && hasEspeak && hasProc)('one hidden browser for eyes and ears (real Chromium)', { timeout: 120_000 }, () => {
  it('camera and microphone share one browser; eyes off closes the camera page only; ears off too and the browser exits', async () => {
    const wav = await speechWav('Testing one two three.', 'both.wav');
    const dir = mkdtempSync(join(tmpdir(), 'pickle-both-'));
    dirs.push(dir);
    const y4m = join(dir, 'red.y4m');
    writeY4m(y4m, { width: 320, height: 240, fps: 4, frames: [RED] });
    const t = await micRig(wav, {
      env: { VISION_ENABLED: 'true', VISION_CAMERA_FILE: y4m, VISION_INTERVAL_SEC: '0.25', OLLAMA_VISION_MODEL: 'moondream' },
      tuning: { vision: { cameraRetryMs: 500, backoff: { baseMs: 300, maxMs: 1000 } } },
    });
    rig = t.rig;
    const conn = await rig.waitFor(() => dg!.connections[0], 20_000, 'a Deepgram connection');
    await rig.waitFor(() => rig!.pickle.status.get('vision')?.state === 'up', 20_000, 'the camera up');
    await rig.waitFor(() => conn.audioMs() > 300, 20_000, 'microphone audio');
    const pid = rig.pickle.browserPid()!;
    expect(rig.pickle.vision!.browserPid()).toBe(pid);
    // One browser process tree, not two.
    const roots = browserDescendants(process.pid).filter((p) => !browserDescendants(process.pid).some((q) => q !== p && browserDescendants(q).includes(p)));
    expect(roots).toEqual([pid]);

    expect((await put(rig, { eyes: false })).status).toBe(200);
    await rig.waitFor(() => rig!.pickle.status.get('vision')?.state === 'paused', 5000, 'vision paused');
    await rig.waitFor(() => rig!.pickle.vision!.browserPid() === undefined, 5000, 'the camera page closed');
    expect(rig.pickle.status.get('vision')!.fix).toMatch(/!privacy off/);
    expect((await rig.pickle.vision!.stats()).page).toBeUndefined();
    // The microphone still runs in the same browser.
    expect(rig.pickle.browserPid()).toBe(pid);
    const before = conn.audioMs();
    await rig.waitFor(() => conn.audioMs() > before + 300, 5000, 'microphone audio after eyes off');

    expect((await put(rig, { ears: false })).status).toBe(200);
    await rig.waitFor(() => !browserAlive(pid), 5000, 'the browser to exit');
    expect(browserDescendants(process.pid)).toEqual([]);

    // Eyes on again: the browser comes back for the camera alone.
    expect((await put(rig, { eyes: true })).status).toBe(200);
    await rig.waitFor(() => rig!.pickle.status.get('vision')?.state === 'up', 20_000, 'the camera up again');
    expect(rig.pickle.browserPid()).not.toBe(pid);
    expect(dg!.connections).toHaveLength(1);
  });
});
