import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';
import { startRig, type Rig } from './harness.ts';

/**
 * The overlay page in real Chromium, as OBS runs it (autoplay allowed): overlay/audio.js plays
 * the stream with Web Audio, `level()` follows the voice (lip-sync), its `playback_end` ends
 * Pickle's speaking, and `stream_stop` silences it at once.
 */

const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const KEY = 'dg-overlay-key-000000';
const SENTENCES = ['Hello there, this is the voice of the overlay.', 'It keeps talking for a little while longer.', 'And then it is done.'];

let rig: Rig | undefined;
let dg: DeepgramStandin | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await rig?.stop();
  await dg?.close();
  browser = undefined;
  rig = undefined;
  dg = undefined;
});

declare global {
  interface Window {
    __audio?: { level(): number; blocked(): boolean };
    __samples: Array<{ t: number; level: number }>;
    __stopAt?: number;
  }
}

/** Keeps the overlay's own audio controller reachable (overlay.js holds it in a closure). */
async function instrument(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    type Sock = { on(e: string, f: () => void): void };
    let real: { attach: (s: Sock) => unknown } | undefined;
    window.__samples = [];
    Object.defineProperty(window, 'PickleAudio', {
      configurable: true,
      get: () => real,
      set: (v: { attach: (s: Sock) => unknown }) => {
        const attach = v.attach;
        real = {
          attach: (socket: Sock) => {
            const a = attach(socket) as Window['__audio'];
            window.__audio = a;
            socket.on('stream_stop', () => (window.__stopAt = performance.now()));
            setInterval(() => window.__samples.push({ t: performance.now(), level: a!.level() }), 10);
            return a;
          },
        };
      },
    });
  });
}

const send = (method: 'POST' | 'PUT', url: string, body?: unknown) =>
  fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe.runIf(existsSync(CHROME))('overlay audio in Chromium (Web Audio)', () => {
  it('plays the voice: level() follows it, playback_end ends speaking, stream_stop silences it at once', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 20, msPerChar: 12 });
    rig = await startRig({
      twitch: false,
      ollama: { responder: () => ({ emotion: 'happy', text: SENTENCES.join(' ') }) },
      env: { DEEPGRAM_API_KEY: KEY, DEEPGRAM_URL: dg.url },
    });
    const r = rig;
    await send('PUT', `${r.pickle.url}/api/settings/persona`, { cooldownSec: 0 });
    browser = await puppeteer.launch({
      executablePath: CHROME,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push((e as Error).message));
    await instrument(page);
    await page.goto(`${r.pickle.url}/overlay`);
    await r.waitFor(() => r.pickle.voice.overlay.playing() >= 1, 10_000, 'the overlay saying it plays audio');

    // 1. A whole reply.
    let reportAt = 0;
    r.pickle.voice.overlay.onEnded('r1', () => (reportAt = performance.now()));
    const states: Array<{ state: string; t: number }> = [];
    r.pickle.orchestrator.on('brain.state', (e) => states.push({ state: e.state, t: performance.now() }));
    await send('POST', `${r.pickle.url}/api/chat`, { user: 'sam', text: 'pickle say something' });
    await r.waitFor(() => states.some((s) => s.state === 'cooldown'), 15_000, 'end of the first reply');
    const samples = await page.evaluate(() => window.__samples.splice(0));
    const peak = Math.max(...samples.map((s) => s.level));
    console.log(`overlay level(): peak ${peak.toFixed(2)} over ${samples.length} samples`);
    expect(peak).toBeGreaterThan(0.2);
    expect(samples.filter((s) => s.level > 0.05).length).toBeGreaterThan(10);
    // Speaking ended when the page said it had played everything (not at a guess).
    expect(reportAt).toBeGreaterThan(0);
    const cooldown = states.find((s) => s.state === 'cooldown')!;
    expect(cooldown.t).toBeGreaterThanOrEqual(reportAt);
    // The report is what ended speaking: no other brain state came between it and the cooldown.
    expect(states.find((s) => s.t >= reportAt)?.state).toBe('cooldown');
    console.log(`playback_end → cooldown in ${(cooldown.t - reportAt).toFixed(1)} ms`);
    // The mouth closes after the voice (level falls to exactly 0).
    await page.waitForFunction(() => window.__audio!.level() === 0, { timeout: 2000 });
    await page.evaluate(() => void window.__samples.splice(0));

    // 2. Cut mid-sentence from the control API.
    await send('POST', `${r.pickle.url}/api/chat`, { user: 'sam', text: 'pickle again please' });
    await page.waitForFunction(() => window.__samples.some((s) => s.level > 0.2), { timeout: 15_000 });
    await send('POST', `${r.pickle.url}/api/control/skip`);
    await page.waitForFunction(() => window.__stopAt !== undefined, { timeout: 5000 });
    await new Promise((res) => setTimeout(res, 300));
    const after = await page.evaluate(() => ({ stopAt: window.__stopAt!, samples: window.__samples.splice(0) }));
    const silentAt = after.samples.find((s) => s.t >= after.stopAt && s.level < 0.02)?.t;
    expect(silentAt).toBeDefined();
    console.log(`stream_stop → overlay silent in ${(silentAt! - after.stopAt).toFixed(1)} ms`);
    // Silent at once: every level() read after the stop was handled is silent, the first one included.
    const afterStop = after.samples.filter((s) => s.t >= after.stopAt);
    expect(afterStop.length).toBeGreaterThan(0);
    expect(afterStop.every((s) => s.level < 0.02)).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
