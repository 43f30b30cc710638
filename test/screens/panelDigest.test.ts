import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { startRig, type Rig } from '../integration/harness.ts';
import { chromiumPath, launchBrowser, openPage, screenshot, describeShot, type Watched } from './browser.ts';

/** The panel's "While you were busy" section in a real Chromium, fed by a real Pickle. */

let browser: Browser | undefined;
let rig: Rig | undefined;
let w: Watched | undefined;

const HOSTILE = '<img src=x onerror="window.__pwned=1">is it raining?';

describe.skipIf(!chromiumPath)('panel: while you were busy', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterEach(async () => {
    await w?.page.close().catch(() => {});
    await rig?.stop();
    w = undefined;
    rig = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the digest of chat (counts, topics, who asked what, each question once), also to a panel opened later', async () => {
    rig = await startRig({ twitch: false, ollama: { responder: () => ({ emotion: 'happy', text: 'Nice.' }) } });
    const url = rig.pickle.url;
    const chat = (user: string, text: string) =>
      fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });
    // Muted: whether Pickle answers eve's question before the panel reads the digest is not this test's subject (an answered question leaves the digest).
    expect((await fetch(`${url}/api/control/mute`, { method: 'POST' })).status).toBe(202);
    for (const [user, text] of [
      ['ann', 'the ramen here looks amazing'],
      ['bob', 'ramen again lol'],
      ['eve', HOSTILE],
    ] as const)
      await chat(user, text);
    // The digest goes out at most every 5 s while chat moves; a panel opened afterwards gets the latest one.
    await new Promise((r) => setTimeout(r, 7500));
    w = await openPage(browser!, 320, 900);
    await w.page.goto(`${url}/panel`);
    await w.page.waitForFunction(() => (document.getElementById('digest-meta')?.textContent ?? '').length > 0, { timeout: 10_000, polling: 100 });
    const shown = await w.page.evaluate(() => ({
      text: document.getElementById('digest-text')!.textContent,
      meta: document.getElementById('digest-meta')!.textContent,
      topics: Array.from(document.querySelectorAll('#digest-topics li')).map((li) => li.textContent),
      questions: Array.from(document.querySelectorAll('#digest-questions li')).map((li) => li.textContent),
      images: document.querySelectorAll('#sec-digest img').length,
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      empty: document.getElementById('digest-empty')!.hidden,
    }));
    expect(shown.meta).toMatch(/^3 messages from 3 viewers/);
    // A counted digest is shown as its parts only (its text repeats them): each question is listed once.
    expect(shown.text).toBe('');
    expect(shown.topics).toContain('ramen');
    expect(shown.questions).toEqual([`eve: ${HOSTILE}`]);
    expect(shown.images).toBe(0);
    expect(shown.pwned).toBeUndefined();
    expect(shown.empty).toBe(true);
    const shot = await screenshot(w.page, 'panel-digest', { fullPage: true });
    console.log(`panel digest screenshot: ${describeShot(shot)}`);
  }, 60_000);
});
