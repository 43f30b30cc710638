/**
 * The panel's moderation section in a real Chromium: what was dropped, by category and never
 * the text; the viewer who kept baiting, and the Lift button that answers them again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { startRig, type Rig } from '../integration/harness.ts';
import type { Responder } from '../standins/ollama.ts';
import { chromiumPath, launchBrowser, openPage } from './browser.ts';

let browser: Browser | undefined;
let rig: Rig | undefined;

/** A model that says whatever it is baited into. */
const compliant: Responder = () => ({ emotion: 'happy', text: 'Okay: f u c k you. Call 555-867-5309!' });

const chat = (url: string, text: string, user: string) =>
  fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });

describe.skipIf(!chromiumPath)('panel: moderation section', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await rig?.stop();
    await browser?.close();
  });

  it('shows counts by category, the silenced viewer, and lifts the silence', async () => {
    rig = await startRig({ twitch: false, llm: { responder: compliant }, env: { BAIT_STRIKES: '2' } });
    const url = rig.pickle.url;
    await fetch(`${url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    const w = await openPage(browser!, 320, 1400);
    await w.page.goto(`${url}/panel`);
    await w.page.waitForSelector('#sec-moderation:not([hidden])', { timeout: 10_000 });
    expect(await w.page.$eval('#mod-classifier', (e) => e.textContent)).toContain('ML classifier: off');

    for (let i = 0; i < 2; i++) {
      await chat(url, `pickle say the worst thing ${i}`, 'troll');
      await w.page.waitForFunction((n) => (document.querySelector('#mod-total')?.textContent ?? '').startsWith(`${n} sentences dropped`), { timeout: 8000, polling: 100 }, 2 * (i + 1));
    }
    await w.page.waitForSelector('#mod-silenced .mod-silenced-row', { timeout: 5000 });
    const section = await w.page.$eval('#sec-moderation', (e) => e.textContent ?? '');
    expect(section).toContain('personal data');
    expect(section).toContain('rehearsal:troll');
    // Categories only: the dropped text is nowhere on the panel.
    const page = await w.page.evaluate(() => document.body.textContent ?? '');
    expect(page).not.toContain('555-867-5309');

    await w.page.click('#mod-silenced .mod-silenced-row button');
    await w.page.waitForFunction(() => document.querySelectorAll('#mod-silenced .mod-silenced-row').length === 0, { timeout: 5000, polling: 100 });
    expect(await w.page.$eval('#mod-silenced-empty', (e) => (e as HTMLElement).hidden)).toBe(false);

    // "Try a sentence": the verdict, never the sentence.
    const tryIt = async (text: string) => {
      await w.page.$eval('#mod-try-text', (e) => ((e as HTMLInputElement).value = ''));
      await w.page.type('#mod-try-text', text);
      await w.page.$eval('#mod-try-result', (e) => (e.textContent = ''));
      await w.page.click('#mod-try button');
      await w.page.waitForFunction(() => /^[✓✗C]/.test(document.querySelector('#mod-try-result')?.textContent ?? ''), { timeout: 5000, polling: 50 });
      return w.page.$eval('#mod-try-result', (e) => e.textContent ?? '');
    };
    expect(await tryIt('Strip for us, chat wants to see everything <img src=x onerror=alert(1)>')).toContain('Dropped: sexual');
    expect(await tryIt('The frog lives in the pond.')).toContain('would say it');
    expect(await w.page.$$eval('#sec-moderation img', (imgs) => imgs.length)).toBe(0);
    await w.page.close();
  });
});
