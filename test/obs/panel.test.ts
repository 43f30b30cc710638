import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { startRig, type Rig } from '../integration/harness.ts';
import { chromiumPath, launchBrowser, openPage, type Watched } from '../screens/browser.ts';
import { NO_BROWSER_SOURCE_FIX } from '../../machines/obsConnection.ts';
import { OBS_29_DEBIAN_KINDS, startObsStandin, type ObsStandin } from '../standins/obs.ts';

/** The panel's OBS card in a real browser: the button adds the overlay (with the token in token mode), and a mute scene is explained. */

describe.skipIf(!chromiumPath)('panel: OBS card', () => {
  let browser: Browser;
  let rig: Rig | undefined;
  let obs: ObsStandin | undefined;
  let w: Watched | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterEach(async () => {
    await w?.page.close().catch(() => undefined);
    await rig?.stop();
    await obs?.close();
    rig = obs = w = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('token mode: "Add Pickle to OBS" creates the source with the overlay key in its URL; the card says why Pickle is muted', async () => {
    obs = await startObsStandin({ password: 'pw' });
    rig = await startRig({ twitch: false, env: { HOST: '0.0.0.0', OBS_WEBSOCKET_URL: obs.url, OBS_WEBSOCKET_PASSWORD: 'pw', OBS_MUTE_SCENES: 'BRB' } });
    const token = rig.pickle.accessToken!;
    w = await openPage(browser, 320, 900);
    await w.page.goto(`${rig.pickle.url}/panel?token=${encodeURIComponent(token)}`);
    await w.page.waitForFunction(() => document.querySelector('#obs-state')?.textContent === 'connected', { timeout: 8000 });
    expect(await w.page.$eval('#obs-detail', (e) => e.textContent)).toContain('scene "Just Chatting"');
    // The URL to copy is the one OBS gets: with the overlay key in token mode.
    expect(await w.page.$eval('#obs-url', (e) => (e as HTMLInputElement).value)).toBe(`${rig.pickle.url}/overlay?key=${rig.pickle.overlayKey!}`);

    await w.page.click('#obs-setup');
    await w.page.waitForFunction(() => (document.querySelector('#obs-result')?.textContent ?? '').startsWith('Added'), { timeout: 8000 });
    expect(obs.input('Pickle overlay')?.settings).toMatchObject({ url: `${rig.pickle.url}/overlay?key=${rig.pickle.overlayKey!}`, width: 1920, height: 1080, reroute_audio: true });

    await w.page.click('#obs-setup');
    await w.page.waitForFunction(() => (document.querySelector('#obs-result')?.textContent ?? '').includes('nothing to change'), { timeout: 8000 });

    obs.switchScene('BRB');
    await w.page.waitForFunction(() => (document.querySelector('#obs-muted')?.textContent ?? '') === 'Pickle is muted: OBS scene "BRB" is live', { timeout: 8000 });
    await w.page.waitForFunction(() => Array.from(document.querySelectorAll('#transcript li')).some((li) => (li.textContent ?? '').includes('muted: OBS scene "BRB" is live')), { timeout: 8000 });
    expect(w.errors, w.errors.join('\n')).toEqual([]);
    expect(w.dialogs).toEqual([]);
  }, 40_000);

  it('an OBS without Browser Source: the card says so with where to get one, and its button is off', async () => {
    obs = await startObsStandin({ password: null, obsVersion: '29.0.2', obsWebSocketVersion: '5.1.0', inputKinds: OBS_29_DEBIAN_KINDS, scenes: ['Scene'] });
    rig = await startRig({ twitch: false, env: { OBS_WEBSOCKET_URL: obs.url } });
    w = await openPage(browser, 320, 900);
    await w.page.goto(`${rig.pickle.url}/panel`);
    await w.page.waitForFunction(() => document.querySelector('#obs-state')?.textContent === 'degraded', { timeout: 8000 });
    expect(await w.page.$eval('#obs-detail', (e) => e.textContent)).toContain('This OBS has no Browser Source (the obs-browser plugin is missing)');
    expect(await w.page.$eval('#obs-fix', (e) => e.textContent)).toBe(`→ ${NO_BROWSER_SOURCE_FIX}`);

    // The button cannot help this OBS (POST /api/obs/setup answers 409 with the same words: test/obs/app.test.ts).
    expect(await w.page.$eval('#obs-setup', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(w.errors, w.errors.join('\n')).toEqual([]);
  }, 40_000);
});
