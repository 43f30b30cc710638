/**
 * The panel's Senses card and the "nobody hears Pickle" banner in a real Chromium, against a
 * real Pickle (stand-ins for Ollama and Deepgram live, a pipe for the microphone: the ears exist,
 * so their checkbox can be used; toggles are about the saved choice).
 */
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { startRig, type Rig } from '../integration/harness.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin } from '../standins/deepgramLive.ts';
import { chromiumPath, launchBrowser, openPage, type Watched } from './browser.ts';

let browser: Browser | undefined;
let rig: Rig | undefined;
let w: Watched | undefined;
let dg: DeepgramLiveStandin | undefined;

describe.skipIf(!chromiumPath)('panel: senses and the voice banner', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterEach(async () => {
    await w?.page.close();
    await rig?.stop();
    await dg?.close();
    rig = w = dg = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('toggles save the senses; the privacy button turns both off and back on; a reply nobody hears shows the banner until a page plays', async () => {
    dg = await startDeepgramLiveStandin({});
    rig = await startRig({
      twitch: false,
      env: { DEEPGRAM_API_KEY: dg.key, DEEPGRAM_URL: dg.url, AUDIO_INPUT_FILE: '-', STT_ENABLED: 'true' },
      tuning: { stt: { stdin: new PassThrough() } },
    });
    const url = rig.pickle.url;
    const senses = async () => (await (await fetch(`${url}/api/settings/senses`)).json()) as { ears: boolean; eyes: boolean };
    w = await openPage(browser!, 360, 1200);
    await w.page.goto(`${url}/panel`);
    await w.page.waitForSelector('#senses-ears:checked', { timeout: 10_000 });
    expect(await w.page.$eval('#voice-banner', (e) => (e as HTMLElement).hidden)).toBe(true);

    await w.page.click('#senses-ears');
    await waitUntil(async () => (await senses()).ears === false, 'ears off saved');
    expect(await senses()).toEqual({ ears: false, eyes: true });

    await w.page.click('#senses-privacy');
    await waitUntil(async () => JSON.stringify(await senses()) === JSON.stringify({ ears: false, eyes: false }), 'privacy saved');
    await w.page.waitForFunction(() => document.getElementById('senses-privacy')?.dataset['off'] === 'true', { timeout: 5000 });
    await w.page.click('#senses-privacy');
    await waitUntil(async () => JSON.stringify(await senses()) === JSON.stringify({ ears: true, eyes: true }), 'privacy ended');

    // A reply with no overlay playing: the banner, with the fix, as text.
    await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text: 'pickle, hello?' }) });
    await w.page.waitForSelector('#voice-banner:not([hidden])', { timeout: 10_000 });
    expect(await w.page.$eval('#voice-banner-text', (e) => e.textContent)).toMatch(/^nobody is hearing Pickle/);
    expect(await w.page.$eval('#voice-banner-fix', (e) => e.textContent)).toMatch(/AUDIO_OUTPUT=local/);
    rig.overlay.emit('audio_state', { state: 'running' });
    await w.page.waitForSelector('#voice-banner[hidden]', { timeout: 10_000 });
    expect(w.errors).toEqual([]);
  });
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
