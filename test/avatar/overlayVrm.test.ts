/**
 * The overlay with a VRM model in real headless Chromium (software WebGL): it loads the test VRM
 * through the import map from Pickle's own server under the strict CSP, draws it on a transparent
 * background (screenshot looked at, corners checked), reports the model back (/health `avatar: up`
 * naming it), a happy sentence raises the happy expression, and the mouth moves while the voice
 * plays and closes in silence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { ARTIFACTS, chromiumPath } from '../screens/browser.ts';
import { buildTestVrm } from '../fixtures/testVrm.ts';

const KEY = 'dg-vrm-key-0000000000';
let rig: Rig | undefined;
let dg: DeepgramStandin | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await browser?.close();
  await rig?.stop();
  await dg?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  browser = rig = dg = dataDir = undefined;
});

/** WebGL in headless Chromium needs SwiftShader. */
async function launchWebGl(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath!,
    headless: true,
    args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** Decodes a PNG in the page (Chromium's own decoder) and reads pixels: alpha of the corners, and how many opaque pixels. */
async function pixels(page: Page, png: Uint8Array): Promise<{ corners: number[]; opaque: number; green: number }> {
  const b64 = Buffer.from(png).toString('base64');
  return page.evaluate(async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const g = c.getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
    const at = (x: number, y: number) => d[(y * bmp.width + x) * 4 + 3]!;
    let opaque = 0;
    let green = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3]! > 200) opaque++;
      if (d[i + 3]! > 200 && d[i + 1]! > d[i]! + 20 && d[i + 1]! > d[i + 2]! + 40) green++;
    }
    return { corners: [at(0, 0), at(bmp.width - 1, 0), at(0, bmp.height - 1), at(bmp.width - 1, bmp.height - 1)], opaque, green };
  }, b64);
}

describe.runIf(chromiumPath)('the overlay shows a VRM model (Chromium, software WebGL)', () => {
  it('loads the test VRM, transparent around it, reports it, smiles at a happy sentence and moves its mouth only while the voice plays', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pickle-vrm-'));
    mkdirSync(join(dataDir, 'avatars'));
    writeFileSync(join(dataDir, 'avatars', 'bot.vrm'), buildTestVrm({ name: 'Pickle Test Bot' }));
    dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 20, msPerChar: 14 });
    rig = await startRig({
      twitch: false,
      dataDir,
      ollama: { responder: () => ({ emotion: 'happy', text: 'What a wonderful day it is today, I love it so much!' }) },
      env: { DEEPGRAM_API_KEY: KEY, DEEPGRAM_URL: dg.url, AVATAR_MODEL: 'avatars/bot.vrm', AVATAR_FRAMING: 'bust' },
    });
    const r = rig;
    await fetch(`${r.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    browser = await launchWebGl();
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 720 });
    const errors: string[] = [];
    const refused: string[] = [];
    page.on('pageerror', (e) => errors.push((e as Error).message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('response', (res) => {
      if (res.status() >= 400) refused.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(`${r.pickle.url}/overlay?avatarSize=600`);
    await page.waitForSelector('#avatar[data-model="shown"]', { timeout: 60_000 });

    // /health names the model once an overlay has loaded it.
    const health = async () => ((await (await fetch(`${r.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string; detail: string }> }).services.find((s) => s.service === 'avatar');
    let avatar = await health();
    for (let i = 0; i < 50 && avatar?.state !== 'up'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      avatar = await health();
    }
    expect(avatar?.state).toBe('up');
    expect(avatar?.detail).toContain('Pickle Test Bot');
    expect(avatar?.detail).toContain('VRM 1.0');

    // Transparent around the model, the model itself drawn (its green head).
    await new Promise((res) => setTimeout(res, 500));
    const shot = await page.screenshot({ omitBackground: true, type: 'png' });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'overlay-vrm.png'), shot);
    const px = await pixels(page, shot);
    console.log(`VRM screenshot: corners alpha ${px.corners.join(',')}, ${px.opaque} opaque px, ${px.green} green px`);
    expect(px.corners).toEqual([0, 0, 0, 0]);
    expect(px.green).toBeGreaterThan(5000);
    // The built-in face gave way to the model.
    expect(await page.$eval('#face', (el) => getComputedStyle(el).display)).toBe('none');

    // A happy reply: the happy expression rises (capped), the mouth moves while the voice plays, then closes.
    // Every value the page sets is recorded as it is set (not polled: a loaded machine would miss them).
    const samples: Array<{ happy: number; mouth: number }> = [];
    await page.exposeFunction('recordAvatar', (happy: number, mouth: number) => void samples.push({ happy, mouth }));
    await page.$eval('canvas.vrm', (c) => {
      const el = c as HTMLElement;
      const record = (window as unknown as { recordAvatar: (happy: number, mouth: number) => void }).recordAvatar;
      new MutationObserver(() => record(Number(el.dataset['happy']), Number(el.dataset['mouth']))).observe(el, { attributes: true, attributeFilter: ['data-happy', 'data-mouth'] });
    });
    const states: string[] = [];
    r.pickle.orchestrator.on('brain.state', (e) => states.push(e.state));
    await fetch(`${r.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text: 'pickle how is your day' }) });
    await r.waitFor(() => states.includes('cooldown'), 20_000, 'the reply to end');
    await page.waitForFunction(() => Number((document.querySelector('canvas.vrm') as HTMLElement).dataset['mouth']) === 0, { timeout: 3000 });
    const happy = Math.max(...samples.map((s) => s.happy));
    const mouthPeak = Math.max(...samples.map((s) => s.mouth));
    const moving = samples.filter((s) => s.mouth > 0.1).length;
    console.log(`happy peak ${happy}, mouth peak ${mouthPeak} (${moving} of ${samples.length} samples open)`);
    expect(happy).toBeGreaterThan(0.5);
    expect(happy).toBeLessThanOrEqual(0.75);
    expect(mouthPeak).toBeGreaterThan(0.3);
    expect(moving).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 120_000);
});
