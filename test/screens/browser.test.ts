/**
 * The three pages in a real Chromium (puppeteer-core + the system Chromium; `.ci/run` installs it),
 * against a real Pickle with the Twitch and Ollama stand-ins. Screenshots go to test/artifacts/.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { ROOT_DIR, startPickle } from '../../src/app.ts';
import { parseEnv } from '../../src/config/env.ts';
import { silentLogger } from '../../src/log.ts';
import { CHANNEL, startRig, type Rig, type RigOptions } from '../integration/harness.ts';
import { startOllamaStandin, type Responder } from '../standins/ollama.ts';
import { chromiumPath, describeShot, launchBrowser, openPage, screenshot, visible, type Watched } from './browser.ts';
import { freeRestartablePort } from '../standins/restartablePort.ts';

if (!chromiumPath) {
  console.warn('browser tests skipped: no Chromium found (set CHROME_PATH, or `apt-get install chromium`; .ci/run installs it)');
}

let browser: Browser | undefined;
const rigs: Rig[] = [];
const pages: Page[] = [];
const dirs: string[] = [];

async function rig(opts: RigOptions): Promise<Rig> {
  const r = await startRig(opts);
  rigs.push(r);
  return r;
}
async function stopRig(r: Rig): Promise<void> {
  rigs.splice(rigs.indexOf(r), 1);
  await r.stop();
}
async function page(width: number, height: number): Promise<Watched> {
  const w = await openPage(browser!, width, height);
  pages.push(w.page);
  return w;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pickle-browser-'));
  dirs.push(d);
  return d;
}
const chat = (url: string, text: string, user = 'sam') =>
  fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });
const putPersona = (url: string, body: unknown) =>
  fetch(`${url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const text = (p: Page, sel: string) => p.$eval(sel, (e) => e.textContent ?? '');

/** Every request the page made went to Pickle itself (no CDN, no fonts, nothing leaves 127.0.0.1). */
function onlyLocal(w: Watched, base: string): void {
  const foreign = w.requests.filter((u) => !u.startsWith(`${base}/`));
  expect(foreign, 'requests that left Pickle').toEqual([]);
}

describe.skipIf(!chromiumPath)('the streamer\'s screens in Chromium', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.close().catch(() => {});
    for (const r of rigs.splice(0)) await r.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('overlay: a rehearsal message becomes a caption with the emotion\'s face; strict CSP; nothing leaves 127.0.0.1', async () => {
    const r = await rig({
      twitch: false,
      ollama: { responder: () => ({ emotion: 'surprised', text: 'Whoa, hello Sam! That is news to me.' }) },
      tuning: { voiceMsPerChar: 40, minSentenceMs: 1200, captionHoldMs: 4000 },
    });
    const url = r.pickle.url;
    for (const path of ['/overlay', '/panel', '/inspector']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), `CSP of ${path}`).toMatch(/default-src 'self'/);
      expect(res.headers.get('content-security-policy'), `CSP of ${path}`).not.toMatch(/unsafe-inline|unsafe-eval/);
    }

    const w = await page(1920, 1080);
    await w.page.goto(`${url}/overlay`);
    await w.page.waitForSelector('body[data-connected="true"]');
    expect(await visible(w.page, '#avatar .face'), 'the built-in face is shown').toBe(true);
    expect(await w.page.$eval('#caption', (e) => e.classList.contains('visible')), 'no caption before anyone spoke').toBe(false);

    await chat(url, 'hey pickle, guess what');
    await w.page.waitForSelector('#caption.visible', { timeout: 10_000 });
    await w.page.waitForSelector('#stage[data-emotion="surprised"][data-speaking="true"]', { timeout: 5000 });
    expect(await text(w.page, '#caption .text')).toBe('Whoa, hello Sam!');
    expect(await text(w.page, '#caption .badge')).toBe('😮');
    expect(await text(w.page, '#nameplate')).toBe('Pickle');
    // Captions-only voice (no audio): the mouth still moves while Pickle speaks.
    const mouth = await w.page.waitForFunction(() => Number(document.getElementById('avatar')!.dataset['mouth']) > 8, { timeout: 3000, polling: 100 });
    expect(await mouth.jsonValue()).toBe(true);
    expect(await visible(w.page, '#fx-exclaim'), 'the surprised face has its "!"').toBe(true);
    await w.page.waitForFunction(() => document.querySelector('#caption .text')!.textContent === 'Whoa, hello Sam! That is news to me.', { timeout: 5000, polling: 100 });
    await new Promise((res) => setTimeout(res, 300)); // past the fade-in

    const shot = await screenshot(w.page, 'overlay');
    console.log(`overlay screenshot: ${describeShot(shot)}`);
    expect(shot.inkShare, `${describeShot(shot)}: avatar and caption make the page non-blank`).toBeGreaterThan(0.01);
    expect(await visible(w.page, '#caption'), 'caption visible in the screenshot').toBe(true);
    expect(await visible(w.page, '#avatar'), 'avatar visible in the screenshot').toBe(true);
    onlyLocal(w, url);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);

    // The same page as a speech bubble over a dark preview background, for people to look at.
    const b = await page(1920, 1080);
    await b.page.goto(`${url}/overlay?style=bubble&avatar=left&bg=dark&size=40`);
    await b.page.waitForSelector('body[data-connected="true"]');
    await chat(url, 'pickle again?');
    await b.page.waitForSelector('#caption.visible', { timeout: 10_000 });
    await new Promise((res) => setTimeout(res, 400)); // past the fade-in
    const bubble = await screenshot(b.page, 'overlay-bubble');
    expect(bubble.colours, describeShot(bubble)).toBeGreaterThan(50);
  });

  it('overlay uses the voice\'s audio contract: the mouth follows level(); "click to enable audio" only while blocked', async () => {
    const r = await rig({ twitch: false });
    const w = await page(1280, 720);
    // A stand-in for overlay/audio.js's PickleAudio (its real one plays stream_audio with Web Audio).
    await w.page.evaluateOnNewDocument(() => {
      const fake = { level: 0, blocked: true, unlocks: 0 };
      (window as unknown as { __audio: typeof fake }).__audio = fake;
      Object.defineProperty(window, 'PickleAudio', {
        configurable: false,
        get: () => ({
          attach: () => ({
            level: () => fake.level,
            blocked: () => fake.blocked,
            unlock: () => {
              fake.unlocks += 1;
              fake.blocked = false;
              return Promise.resolve();
            },
          }),
        }),
        set: () => {},
      });
    });
    await w.page.goto(`${r.pickle.url}/overlay`);
    await w.page.waitForSelector('body[data-connected="true"]');
    await w.page.waitForSelector('#enable-audio:not([hidden])', { timeout: 3000 });
    await w.page.click('#enable-audio');
    await w.page.waitForSelector('#enable-audio[hidden]', { hidden: true, timeout: 3000 });
    expect(await w.page.evaluate(() => (window as unknown as { __audio: { unlocks: number } }).__audio.unlocks)).toBe(1);

    const mouth = () => w.page.$eval('#avatar', (e) => Number((e as HTMLElement).dataset['mouth']));
    expect(await mouth()).toBe(0);
    await w.page.evaluate(() => ((window as unknown as { __audio: { level: number } }).__audio.level = 0.9));
    await w.page.waitForFunction(() => Number(document.getElementById('avatar')!.dataset['mouth']) >= 18, { timeout: 3000, polling: 100 });
    await w.page.evaluate(() => ((window as unknown as { __audio: { level: number } }).__audio.level = 0));
    await w.page.waitForFunction(() => Number(document.getElementById('avatar')!.dataset['mouth']) === 0, { timeout: 3000, polling: 100 });
    expect(w.errors).toEqual([]);
  });

  it("a persona's own pictures replace the built-in face and follow the emotion", async () => {
    const personasDir = tempDir();
    copyFileSync(join(ROOT_DIR, 'personas', 'default.yaml'), join(personasDir, 'default.yaml'));
    writeFileSync(join(personasDir, 'artsy.yaml'), 'name: "Artsy"\npersonality: "Paints with words."\navatar:\n  images: artsy-art\n');
    mkdirSync(join(personasDir, 'artsy-art'));
    const svgFace = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 130"><rect x="5" y="5" width="90" height="120" rx="30" fill="${fill}"/></svg>`;
    writeFileSync(join(personasDir, 'artsy-art', 'neutral.svg'), svgFace('#7e57c2'));
    writeFileSync(join(personasDir, 'artsy-art', 'happy.svg'), svgFace('#ffb300'));
    writeFileSync(join(personasDir, 'artsy-art', 'happy-talk.svg'), svgFace('#ff7043'));
    const ollama = await startOllamaStandin({ tokenDelayMs: 1, firstTokenDelayMs: 1, responder: () => ({ emotion: 'happy', text: 'What a lovely day to paint!' }) });
    const dataDir = tempDir();
    const app = await startPickle({
      env: parseEnv({ PORT: '0', PICKLE_DATA_DIR: dataDir, OLLAMA_HOST: ollama.url, MEMORY_ENABLED: 'false', PERSONA: 'artsy' }),
      log: silentLogger(),
      personasDir,
      tuning: { localVoice: false, voiceMsPerChar: 60, minSentenceMs: 1500, captionHoldMs: 3000 },
    });
    try {
      const w = await page(1280, 720);
      await w.page.goto(`${app.url}/overlay`);
      await w.page.waitForSelector('body[data-connected="true"]');
      await w.page.waitForSelector('#face-img:not([hidden])', { timeout: 5000 });
      expect(await w.page.$eval('#face-img', (e) => (e as HTMLImageElement).src)).toMatch(/\/overlay\/look\/artsy\/neutral\.svg\?v=\d+$/);
      expect(await visible(w.page, '#face'), 'built-in face hidden').toBe(false);
      expect(await text(w.page, '#nameplate')).toBe('Artsy');
      await w.page.waitForFunction(() => (document.getElementById('face-img') as HTMLImageElement).naturalWidth > 0, { timeout: 5000, polling: 100 });

      await chat(app.url, 'artsy, how are you?');
      // While speaking the mouth flaps: the picture switches between happy and happy-talk.
      const seen = new Set<string>();
      const end = Date.now() + 4000;
      while (Date.now() < end && seen.size < 2) {
        const src = await w.page.$eval('#face-img', (e) => (e as HTMLImageElement).src);
        const m = /\/(happy(?:-talk)?)\.svg/.exec(src);
        if (m) seen.add(m[1]!);
        await new Promise((res) => setTimeout(res, 30));
      }
      expect([...seen].sort()).toEqual(['happy', 'happy-talk']);
      expect(w.errors).toEqual([]);
      onlyLocal(w, app.url);
    } finally {
      await app.stop();
      await ollama.close();
    }
  });

  it('XSS: a hostile display name and a 500-character zalgo message show as literal text everywhere, and run nothing', async () => {
    const HOSTILE = '<img src=x onerror=alert(1)>';
    const zalgo = 'z̸̡̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼ͅa̷̢̧̨̛̛̛͖͙͚͇͈͉͍͎͓͔͕͖͙͚l̶̡̢̧̨̛̛͖͙͚͇g̴̨̛̛͖͙͚͇͈͉͍ơ̵̢̢̧̛͖͙͚͇';
    const head = 'pickle <script>alert(2)</script><b onmouseover=alert(3)>hi</b> ';
    const message = `${head}${`${zalgo} `.repeat(20)}`.slice(0, 500).trimEnd();
    expect(message.length).toBeGreaterThan(490);

    /** A model that greets the viewer by display name and quotes the start of their message. */
    const greeter: Responder = ({ messages }) => {
      const last = messages.at(-1)?.content ?? '';
      const m = [...last.matchAll(/viewer ("(?:[^"\\]|\\.)*") \(login "(?:[^"\\]|\\.)*"\) wrote: ("(?:[^"\\]|\\.)*")/g)].at(-1);
      const name = m ? (JSON.parse(m[1]!) as string) : 'friend';
      const said = m ? (JSON.parse(m[2]!) as string) : '';
      return { emotion: 'happy', text: `Hi ${name}! You said ${said.slice(0, 40)}` };
    };
    const r = await rig({ ollama: { responder: greeter }, tuning: { voiceMsPerChar: 2, minSentenceMs: 600, captionHoldMs: 5000 } });
    const url = r.pickle.url;
    const overlay = await page(1280, 720);
    await overlay.page.goto(`${url}/overlay`);
    const panel = await page(320, 900);
    await panel.page.goto(`${url}/panel`);
    const inspector = await page(1280, 800);
    await inspector.page.goto(`${url}/inspector`);
    for (const w of [overlay, panel, inspector]) await w.page.waitForSelector('body[data-connected="true"]');

    r.irc!.say(CHANNEL, { user: 'mallory', displayName: HOSTILE, text: message });
    await overlay.page.waitForFunction((h) => (document.querySelector('#caption .text')!.textContent ?? '').includes(h), { timeout: 10_000, polling: 100 }, HOSTILE);
    const caption = await text(overlay.page, '#caption .text');
    expect(caption.startsWith(`Hi ${HOSTILE}!`)).toBe(true);

    await panel.page.waitForFunction((h) => Array.from(document.querySelectorAll('#transcript li.t-chat .who')).some((e) => e.textContent === h), { timeout: 5000, polling: 100 }, HOSTILE);
    const row = await panel.page.$eval('#transcript li.t-chat', (li) => ({
      who: li.querySelector('.who')!.textContent,
      text: li.querySelector('.text')!.textContent,
      height: li.getBoundingClientRect().height,
    }));
    expect(row.who).toBe(HOSTILE);
    expect(row.text).toBe(message);
    // Zalgo stays inside its row: the row is clipped, the page does not grow sideways.
    expect(row.height, 'zalgo row height (px)').toBeLessThan(220);
    expect(await panel.page.evaluate(() => document.documentElement.scrollWidth), 'panel width at 320 px').toBeLessThanOrEqual(320);
    await panel.page.waitForSelector('#transcript li.t-reply', { timeout: 5000 });
    expect(await text(panel.page, '#transcript li.t-reply .text')).toContain(HOSTILE);

    // The inspector's log shows the event payload as text too.
    await inspector.page.waitForFunction(() => Array.from(document.querySelectorAll('#log li')).some((li) => li.textContent!.includes('chat.message')), { timeout: 5000, polling: 100 });
    const opened = await inspector.page.evaluate(() => {
      const li = Array.from(document.querySelectorAll('#log li')).find((l) => l.textContent!.includes('chat.message')) as HTMLElement;
      li.click();
      return li.querySelector('pre')?.textContent ?? '';
    });
    expect(opened).toContain(HOSTILE);

    for (const w of [overlay, panel, inspector]) {
      const injected = await w.page.evaluate(() => document.querySelectorAll('body img:not(.face-img):not([src^="/overlay/"]), body script, #transcript b, #log b, #caption b').length);
      expect(injected, 'elements created from chat text').toBe(0);
      expect(w.dialogs, 'alert() calls').toEqual([]);
      expect(w.errors).toEqual([]);
      onlyLocal(w, url);
    }
  });

  it('overlay reconnects after Pickle restarts on the same port, without a reload, and is brought up to date', async () => {
    const dataDir = tempDir();
    // Pickle comes back on the port it had: one the kernel does not hand out meanwhile (see restartablePort.ts).
    const port = await freeRestartablePort();
    const first = await rig({ twitch: false, dataDir, env: { PORT: String(port) }, ollama: { responder: () => ({ emotion: 'happy', text: 'First life.' }) } });
    const w = await page(1280, 720);
    await w.page.goto(`${first.pickle.url}/overlay`);
    await w.page.waitForSelector('body[data-connected="true"]');
    await w.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    await stopRig(first);
    await w.page.waitForSelector('body[data-connected="false"]', { timeout: 5000 });
    // Down for a while: socket.io keeps trying (polling errors are expected meanwhile).
    await new Promise((res) => setTimeout(res, 1500));

    const second = await rig({
      twitch: false,
      dataDir,
      env: { PORT: String(port) },
      ollama: { responder: () => ({ emotion: 'laughing', text: 'Back again, chat!' }) },
      tuning: { voiceMsPerChar: 40, minSentenceMs: 1000 },
    });
    await w.page.waitForSelector('body[data-connected="true"]', { timeout: 15_000 });
    expect(await w.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await chat(second.pickle.url, 'pickle you are back!');
    await w.page.waitForFunction(() => document.querySelector('#caption .text')!.textContent === 'Back again, chat!', { timeout: 10_000, polling: 100 });
    expect(await w.page.$eval('#stage', (e) => (e as HTMLElement).dataset['emotion'])).toBe('laughing');
  });

  it('panel at 320 px: status with fixes, transcript with decision reasons; a cooldown change persists across a restart', async () => {
    const dataDir = tempDir();
    const first = await rig({ twitch: false, dataDir, env: { PORT: String(await freeRestartablePort()) }, tuning: { analyticsMs: 300 } });
    const url = first.pickle.url;
    const w = await page(320, 1000);
    await w.page.goto(`${url}/panel`);
    await w.page.waitForSelector('body[data-connected="true"]');
    await w.page.waitForSelector('#status-list .status-item[data-service="llm"].up', { timeout: 10_000 });
    const twitch = await w.page.$eval('#status-list .status-item[data-service="twitch"]', (li) => ({
      cls: li.className,
      fix: li.querySelector('.fix')?.textContent ?? '',
    }));
    // No channel is an option left off (grey `off`), with the step that turns it on.
    expect(twitch.cls).toContain('off');
    expect(twitch.fix).toMatch(/TWITCH_CHANNEL/);

    await chat(url, 'pickle how is the stream going?');
    await w.page.waitForSelector('#transcript li.t-decision.answer[data-reason="mention"]', { timeout: 5000 });
    await w.page.waitForSelector('#transcript li.t-reply', { timeout: 5000 });
    await w.page.waitForSelector('#brain-state[data-state="cooldown"]', { timeout: 5000 });
    await chat(url, 'just chatting over here', 'viewer7');
    await w.page.waitForSelector('#transcript li.t-decision.quiet[data-reason="cooldown"]', { timeout: 5000 });
    const rows = await w.page.$$eval('#transcript li', (lis) => lis.map((li) => li.textContent));
    expect(rows.join('\n')).toMatch(/quiet\s*cooldown/);
    expect(rows.join('\n')).toMatch(/answer\s*named Pickle/);
    expect(rows.some((t) => t!.includes('viewer7') && t!.includes('just chatting over here'))).toBe(true);
    await w.page.waitForFunction(() => document.querySelector('[data-chart="replies"] .value')!.textContent === '1', { timeout: 5000, polling: 100 });
    expect(await w.page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling at 320 px').toBeLessThanOrEqual(320);

    const shot = await screenshot(w.page, 'panel', { fullPage: true });
    console.log(`panel screenshot: ${describeShot(shot)}`);
    expect(shot.inkShare, describeShot(shot)).toBeGreaterThan(0.05);
    for (const sel of ['#status-summary', '#transcript li.t-reply', '#chat-form', '#charts', '#cooldown', '#btn-skip', '#btn-mute']) {
      await w.page.$eval(sel, (e) => e.scrollIntoView({ block: 'center' }));
      expect(await visible(w.page, sel), `${sel} visible at 320 px`).toBe(true);
    }

    // Cooldown slider → PUT /api/settings/persona → settings.json.
    await w.page.evaluate(() => {
      const s = document.getElementById('cooldown') as HTMLInputElement;
      s.value = '12.5';
      s.dispatchEvent(new Event('input', { bubbles: true }));
      s.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await w.page.waitForFunction(() => document.getElementById('controls-saved')!.textContent!.includes('saved'), { timeout: 5000, polling: 100 });
    expect((await (await fetch(`${url}/api/settings/persona`)).json()).cooldownSec).toBe(12.5);

    await stopRig(first);
    const second = await rig({ twitch: false, dataDir, env: { PORT: String(new URL(url).port) } });
    expect((await (await fetch(`${second.pickle.url}/api/settings/persona`)).json()).cooldownSec).toBe(12.5);
    await w.page.reload();
    await w.page.waitForSelector('body[data-connected="true"]');
    await w.page.waitForFunction(() => document.getElementById('cooldown-out')!.textContent === '12.5 s', { timeout: 5000, polling: 100 });
    expect(await w.page.$eval('#cooldown', (e) => (e as HTMLInputElement).value)).toBe('12.5');
    await w.page.$eval('#cooldown-reset', (e) => e.scrollIntoView({ block: 'center' }));
    expect(await visible(w.page, '#cooldown-reset'), 'an override can be reset to the persona value').toBe(true);
    expect(w.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });

  it('token mode (HOST not loopback): the pages need the access token; the link drops it from the address bar and a reload still works', async () => {
    const r = await rig({ twitch: false, env: { HOST: '0.0.0.0' } });
    const token = r.pickle.accessToken!;
    expect(token).toBeTruthy();
    const w = await page(320, 800);
    const refused = await w.page.goto(`${r.pickle.url}/panel`);
    expect(refused?.status()).toBe(401);
    expect(await w.page.content()).not.toContain('id="btn-mute"');
    await w.page.goto(`${r.pickle.url}/panel?token=${encodeURIComponent(token)}`);
    await w.page.waitForSelector('body[data-connected="true"]', { timeout: 5000 });
    expect(w.page.url()).toBe(`${r.pickle.url}/panel`);
    await w.page.waitForSelector('#status-list .status-item', { timeout: 5000 });
    await w.page.click('#btn-mute');
    await w.page.waitForSelector('#brain-state.brain-muted', { timeout: 5000 });
    await w.page.reload();
    await w.page.waitForSelector('body[data-connected="true"]', { timeout: 5000 });
    expect(await w.page.$eval('#token-box', (e) => (e as HTMLElement).hidden)).toBe(true);

    const i = await page(1280, 800);
    await i.page.goto(`${r.pickle.url}/inspector?token=${encodeURIComponent(token)}`);
    await i.page.waitForSelector('body[data-connected="true"]', { timeout: 5000 });
    expect(await i.page.$eval('#token-box', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(i.page.url()).not.toContain('token=');
    // The refused first attempts are the only errors: no exception, nothing but the 401s and the
    // socket.io transport's own fallout from them (a retry cut short: "WebSocket is closed before…",
    // or a poll that still carried the refused session's id: socket.io answers 400 "Session ID unknown").
    const transportNoise = /401|Unauthorized|^console: WebSocket connection to .* failed|^console: Failed to load resource: the server responded with a status of 400/i;
    expect(w.errors.filter((e) => !transportNoise.test(e)), w.errors.join('\n')).toEqual([]);
    // …and every 400 was indeed such a socket.io poll, nothing else of the page's.
    const other400 = w.failed.filter((f) => f.startsWith('400 ') && !/\/socket\.io\/\?.*transport=polling.*sid=/.test(f));
    expect(other400, w.failed.join('\n')).toEqual([]);
  });

  it('inspector: the brain is highlighted idle → thinking → speaking → cooldown → idle for one reply', async () => {
    const r = await rig({ twitch: false, tuning: { voiceMsPerChar: 10, minSentenceMs: 400 } });
    const url = r.pickle.url;
    await putPersona(url, { cooldownSec: 1 });
    const w = await page(1400, 900);
    await w.page.goto(`${url}/inspector`);
    await w.page.waitForSelector('#chart svg[data-machine="brain"]', { timeout: 10_000 });
    await w.page.waitForSelector('.sc-node.active[data-id="brain.idle"]');
    // Record every change of the highlighted states (the attribute is rewritten on each snapshot).
    await w.page.evaluate(() => {
      const chart = document.getElementById('chart')!;
      const log: string[] = [chart.dataset['active'] ?? ''];
      (window as unknown as { __active: string[] }).__active = log;
      new MutationObserver(() => {
        const v = chart.dataset['active'] ?? '';
        if (log.at(-1) !== v) log.push(v);
      }).observe(chart, { attributes: true, attributeFilter: ['data-active'] });
    });

    await chat(url, 'pickle tell me about your day');
    await w.page.waitForFunction(
      () => {
        const log = (window as unknown as { __active: string[] }).__active;
        return log.includes('brain.cooldown') && log.at(-1) === 'brain.idle';
      },
      { timeout: 10_000, polling: 100 },
    );
    const seen = await w.page.evaluate(() => (window as unknown as { __active: string[] }).__active);
    const wanted = ['brain.idle', 'brain.replying.thinking', 'brain.replying.speaking', 'brain.cooldown', 'brain.idle'];
    let i = 0;
    for (const s of seen) if (s === wanted[i]) i += 1;
    expect(i, `highlighted: ${seen.join(' → ')}`).toBe(wanted.length);
    expect(await w.page.$$eval('.sc-node.active', (ns) => ns.map((n) => (n as SVGElement).dataset['id']))).toEqual(['brain', 'brain.idle']);
    const trail = await w.page.$eval('#trail', (e) => (e as HTMLElement).dataset['trail'] ?? '');
    expect(trail).toMatch(/replying\.thinking > replying\.speaking > cooldown > idle$/);

    // The log filters by text.
    await w.page.type('#filter', 'brain.decision');
    const shown = await w.page.$$eval('#log li:not(.hidden)', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) expect(s).toContain('brain.decision');
    await w.page.click('#filter', { clickCount: 3 });
    await w.page.keyboard.press('Backspace');

    const shot = await screenshot(w.page, 'inspector');
    console.log(`inspector screenshot: ${describeShot(shot)}`);
    expect(shot.inkShare, describeShot(shot)).toBeGreaterThan(0.05);
    for (const sel of ['#chart svg', '#tabs .tab.selected', '#log li', '#trail']) expect(await visible(w.page, sel), `${sel} visible`).toBe(true);
    onlyLocal(w, url);
    expect(w.errors).toEqual([]);
  });
});
