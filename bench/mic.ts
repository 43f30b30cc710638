import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPickle, type PickleApp } from '../src/app.ts';
import { parseEnv } from '../src/config/env.ts';
import { silentLogger } from '../src/log.ts';
import { launchHiddenBrowser } from '../src/browser/launch.ts';
import { findBrowser } from '../src/vision/chrome.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin } from '../test/standins/deepgramLive.ts';
import { startOllamaStandin } from '../test/standins/ollama.ts';
import { speechWav } from '../test/stt/audioFixtures.ts';
import { browserRole, cpuByPid, descendants, treeUsage } from '../test/vision/procs.ts';

/**
 * mic: what hearing through the browser costs. A real Pickle (in this process), the system
 * Chromium headless with an espeak-ng WAV as its fake microphone (looped), the mic page's
 * AudioWorklet making 16 kHz PCM16, the real @deepgram/sdk client sending it to the Deepgram
 * live stand-in on 127.0.0.1.
 *   latency   ears turned on `trials` times: from the page's getUserMedia call to the first PCM
 *             byte at the stand-in (and from "ears on" to that byte, browser launch included)
 *   cpu       `seconds` of steady listening: Chromium's processes (from /proc/<pid>/stat) plus what
 *             Pickle spends on top of the same Pickle with ears off
 * Goal: ≤ 3 % of one core.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

async function until<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

const senses = (p: PickleApp, body: { ears: boolean }) =>
  fetch(`${p.url}/api/settings/senses`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function latency(p: PickleApp, dg: DeepgramLiveStandin, trials: number) {
  const gumToFirstByteMs: number[] = [];
  const earsOnToFirstByteMs: number[] = [];
  for (let i = 0; i < trials; i++) {
    await senses(p, { ears: false });
    await until(() => p.browserPid() === undefined, 10_000, 'the browser to exit');
    await sleep(300);
    const n = dg.connections.length;
    const asked = Date.now();
    await senses(p, { ears: true });
    const conn = await until(() => dg.connections[n], 20_000, 'a Deepgram connection');
    const first = await until(() => conn.firstAudioAt(), 20_000, 'the first audio byte');
    const mic = await until(() => p.ears.microphone(), 20_000, 'the microphone report');
    if (mic.gumStartedAt === undefined) throw new Error('the mic page did not say when getUserMedia started');
    gumToFirstByteMs.push(first - mic.gumStartedAt);
    earsOnToFirstByteMs.push(first - asked);
  }
  return {
    trials,
    gumToFirstByteMs: { median: Math.round(median(gumToFirstByteMs)), min: Math.round(Math.min(...gumToFirstByteMs)), max: Math.round(Math.max(...gumToFirstByteMs)), all: gumToFirstByteMs.map(Math.round) },
    earsOnToFirstByteMs: { median: Math.round(median(earsOnToFirstByteMs)), all: earsOnToFirstByteMs.map(Math.round) },
  };
}

/** CPU over `seconds` of Pickle (this process, minus measuring) and of `pid`'s process tree. */
async function cpu(seconds: number, pid: number | undefined) {
  const pids = pid ? [pid, ...descendants(pid)] : [];
  let measuringUs = 0;
  const usage = () => {
    const c = process.cpuUsage();
    const u = pid ? treeUsage(pid, pids) : { cpuMs: 0, pssBytes: 0, processes: 0 };
    const d = process.cpuUsage(c);
    measuringUs += d.user + d.system;
    return u;
  };
  const roles = new Map(pids.map((p) => [p, browserRole(p)]));
  const byPid0 = cpuByPid(pids);
  const b0 = usage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let pss = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await sleep(5000);
    pss = Math.max(pss, usage().pssBytes);
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const b1 = usage();
  const byPid1 = cpuByPid(pids);
  // Where Chromium's share goes: the audio service captures and runs the echo canceller, noise
  // suppression and auto gain; the renderer runs the page, its AudioWorklet and the socket.
  const chromiumByRole: Record<string, number> = {};
  for (const [p, role] of roles) {
    const ms = (byPid1.get(p) ?? 0) - (byPid0.get(p) ?? 0);
    if (ms > 0) chromiumByRole[role] = round((chromiumByRole[role] ?? 0) + (100 * ms) / wallMs, 2);
  }
  const pickleMs = Math.max(0, c.user + c.system - measuringUs) / 1000;
  return {
    seconds: round(wallMs / 1000, 1),
    pickleCpuPct: round((100 * pickleMs) / wallMs, 2),
    chromiumCpuPct: round((100 * (b1.cpuMs - b0.cpuMs)) / wallMs, 2),
    chromiumByRole,
    chromiumProcesses: pids.length,
    chromiumPssMb: round(pss / 2 ** 20, 1),
  };
}

/**
 * The floor under the goal: the same browser and fake microphone opened by a bare page with the
 * same processing (echo canceller, noise suppression, auto gain) and nothing else: no audio
 * graph, no socket, no Pickle. What any app that opens the microphone this way pays.
 */
async function captureFloor(p: PickleApp, executablePath: string, args: string[], seconds: number) {
  const browser = await launchHiddenBrowser({ executablePath, args, audible: false, timeoutMs: 30_000, log: silentLogger() });
  try {
    const page = await browser.newPage();
    // Pickle's own origin: a secure context, so getUserMedia exists (the page itself stays idle).
    await page.goto(`${p.url}/senses/mic`);
    await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 }, video: false });
      (window as Window & { keep?: MediaStream }).keep = stream;
    });
    await sleep(3000);
    return await cpu(seconds, browser.process()?.pid);
  } finally {
    await browser.close();
  }
}

export default async function mic(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[0] ?? 30);
  const trials = Number(args[1] ?? 5);
  const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });
  if (!chrome) throw new Error('no Chrome/Chromium/Edge found: install one or set CHROME_PATH');
  const wav = await speechWav('Pickle, can you hear me? I am talking to you through the browser microphone, one two three four five.', 'bench-mic.wav');
  const dg = await startDeepgramLiveStandin({ idleTimeoutMs: 60_000 });
  const ollama = await startOllamaStandin();
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-bench-mic-'));
  const env = parseEnv({
    PORT: '0',
    PICKLE_DATA_DIR: dataDir,
    OLLAMA_HOST: ollama.url,
    MEMORY_ENABLED: 'false',
    PLUGINS_DIR: join(dataDir, 'plugins'),
    DEEPGRAM_API_KEY: dg.key,
    DEEPGRAM_URL: dg.url,
    CHROME_PATH: chrome.path,
    CHROME_ARGS: `--use-fake-device-for-media-stream --use-file-for-fake-audio-capture="${wav}"`,
  });
  const fakeMic = ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`];
  const pickle = await startPickle({ env, log: silentLogger(), tuning: { localVoice: false } });
  try {
    await until(() => pickle.status.get('stt')?.state === 'up' && pickle.ears.microphone()?.state === 'up', 30_000, 'ears up');
    const heard = pickle.status.get('stt')?.detail ?? '';
    const lat = await latency(pickle, dg, trials);
    await sleep(3000);
    const on = await cpu(seconds, pickle.browserPid());
    const conn = dg.connections.at(-1)!;
    const audio = conn.analysis();
    await senses(pickle, { ears: false });
    await until(() => pickle.browserPid() === undefined, 10_000, 'the browser to exit');
    const off = await cpu(Math.max(10, Math.round(seconds / 2)), undefined);
    const cost = round(on.chromiumCpuPct + Math.max(0, on.pickleCpuPct - off.pickleCpuPct), 2);
    const floor = await captureFloor(pickle, chrome.path, fakeMic, Math.max(10, Math.round(seconds / 2)));
    const added = round(cost - floor.chromiumCpuPct, 2);
    return {
      browser: chrome.path,
      microphone: `espeak-ng WAV through Chromium's fake capture device (${heard})`,
      latency: lat,
      listening: on,
      earsOff: off,
      captureFloor: floor,
      audioAtStandin: { sampleRate: audio.sampleRate, realtimeFactor: round(audio.realtimeFactor, 3), rms: Math.round(audio.rms), plausiblePcm16: audio.plausiblePcm16 },
      goals: { micCpuPctOfOneCore: { value: cost, goal: '<= 3', pass: cost <= 3 } },
      // What hearing adds on top of the microphone being open with the browser's processing.
      addedOverCaptureFloorPct: added,
    };
  } finally {
    await pickle.stop();
    await dg.close();
    await ollama.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
