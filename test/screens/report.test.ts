import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MinuteLine, ReplyLine, StreamLine } from '../../machines/analytics/records.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { ARTIFACTS, chromiumPath, describeShot, launchBrowser, openPage, screenshot } from './browser.ts';

const ID = '20251207-200000-000';
const T0 = Date.UTC(2025, 11, 7, 20, 0, 0, 0);

/** Two hours of a stream as the recorder writes it: a reply every few minutes, an LLM outage, some moderation. */
function twoHourStream(): StreamLine[] {
  const lines: StreamLine[] = [{ k: 'stream', v: 1, id: ID, t: T0, reason: 'online', platform: 'twitch' }];
  for (let i = 0; i < 134; i++) {
    const t = T0 + i * 60_000;
    const down = i >= 50 && i < 54;
    const minute: MinuteLine = {
      k: 'minute', i, t,
      chat: { twitch: 40 + (i % 17) * 3, youtube: i % 5 },
      chatters: { twitch: 12 + (i % 7), youtube: i % 3 },
      replies: down ? 0 : 2 + (i % 3),
      mentions: { answered: down ? 0 : 2 + (i % 2), dropped: down ? { stale: 2 } : i % 9 === 0 ? { 'queue-full': 1 } : {} },
      memories: 400 + i * 3,
      rssMb: 220 + Math.round(i / 4),
      cpuPct: 8 + (i % 11),
      services: i === 50 ? [{ t: t + 5_000, service: 'llm', state: 'down', fault: 'retryable' }] : i === 54 ? [{ t: t + 2_000, service: 'llm', state: 'up' }] : [],
    };
    lines.push(minute);
    if (down) continue;
    for (let j = 0; j < 2; j++) {
      const llm = 600 + ((i * 37 + j * 11) % 900);
      const r: ReplyLine = {
        k: 'reply', t: t + 10_000 + j * 20_000, replyId: `r-${i}-${j}`,
        trigger: { platform: 'twitch', kind: 'chat', addressed: j === 0 },
        totalMs: 300 + llm + 250 + 180 + 60,
        stages: { queue: 300, llm, sentence: 250, tts: 180, audio: 60 },
        tokensIn: 900, tokensOut: 40, emotion: 'happy',
        blocked: i % 13 === 0 ? { insult: 1 } : i % 29 === 0 ? { 'personal-data': 1 } : {},
        outcome: i % 23 === 0 ? 'barged-in' : 'spoken',
      };
      lines.push(r);
    }
  }
  lines.push({ k: 'engaged', t: T0 + 134 * 60_000, top: [{ viewer: 'twitch:alice', messages: 312 }, { viewer: 'youtube:bob', messages: 120 }] });
  lines.push({ k: 'end', t: T0 + 134 * 60_000 + 30_000, reason: 'offline' });
  return lines;
}

describe.skipIf(!chromiumPath)('the stream report in headless Chromium', () => {
  let rig: Rig;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pickle-report-'));
    mkdirSync(join(dataDir, 'streams'), { recursive: true });
    writeFileSync(join(dataDir, 'streams', `${ID}.ndjson`), twoHourStream().map((l) => `${JSON.stringify(l)}\n`).join(''));
    rig = await startRig({ dataDir, twitch: false });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const width of [1280, 320]) {
    it(`draws every chart with no console error at ${width} px`, async () => {
      const w = await openPage(browser, width, 900);
      await w.page.goto(`${rig.pickle.url}/report/${ID}`, { waitUntil: 'networkidle0' });
      await w.page.waitForFunction(() => document.querySelectorAll('.uplot canvas').length >= 5, { timeout: 10_000 });
      const summary = await w.page.$eval('#summary-text', (e) => e.textContent);
      expect(summary).toBe('2 h 14 min, 260 replies, 93 % of mentions answered, median wait 1.8 s, slowest stage: LLM first token (p95 1.5 s).');
      const charts = await w.page.$$eval('.plot', (boxes) => boxes.map((b) => ({ id: b.id, canvas: b.querySelector('canvas')?.getBoundingClientRect().width ?? 0 })));
      for (const c of charts) expect(c.canvas, c.id).toBeGreaterThan(150);
      // Each chart drew something: a canvas with pixels other than the background.
      const inked = await w.page.$$eval('.plot canvas', (cs) =>
        cs.map((c) => {
          const canvas = c as HTMLCanvasElement;
          const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n += 1;
          return n;
        }),
      );
      for (const n of inked) expect(n).toBeGreaterThan(500);
      expect(await w.page.$$eval('#moderation .row', (rows) => rows.map((r) => r.textContent))).toEqual(['insult20', 'personal-data8']);
      expect(await w.page.$$eval('#outages li', (li) => li.map((l) => l.textContent ?? ''))).toEqual([expect.stringMatching(/^llm down \(retryable\): /)]);
      expect(await w.page.$$eval('#engaged li', (li) => li.map((l) => l.textContent))).toEqual(['twitch:alice · 312 messages', 'youtube:bob · 120 messages']);
      // Nothing wider than the window (an OBS dock is 320 px).
      expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      const shot = await screenshot(w.page, `report-${width}`, { fullPage: true });
      console.log(`report screenshot: ${describeShot(shot)}`);
      expect(shot.inkShare).toBeGreaterThan(0.05);
      expect(w.errors).toEqual([]);
      expect(w.failed).toEqual([]);
      await w.page.close();
    }, 30_000);
  }

  it("the panel's Analytics card links to this stream's report and the past ones", async () => {
    const w = await openPage(browser, 320, 900);
    await w.page.goto(`${rig.pickle.url}/panel`, { waitUntil: 'networkidle0' });
    await w.page.waitForFunction(() => document.querySelectorAll('#stream-reports a').length >= 2, { timeout: 10_000 });
    const links = await w.page.$$eval('#stream-reports a', (as) => as.map((a) => ({ href: new URL((a as HTMLAnchorElement).href).pathname, text: a.textContent })));
    expect(links[0]).toMatchObject({ text: expect.stringMatching(/^● this stream/) });
    expect(links.map((l) => l.href)).toContain(`/report/${ID}`);
    await (await w.page.$('#sec-analytics'))!.screenshot({ path: join(ARTIFACTS, 'panel-analytics-320.png') });
    const live = links[0]!.href;
    await w.page.goto(`${rig.pickle.url}${live}`, { waitUntil: 'networkidle0' });
    await w.page.waitForFunction(() => /^Live stream/.test(document.getElementById('title')?.textContent ?? ''));
    expect(w.errors).toEqual([]);
    await w.page.close();
  }, 30_000);

  it('prints without the controls, each chart inside the page', async () => {
    const w = await openPage(browser, 1280, 900);
    await w.page.goto(`${rig.pickle.url}/report/${ID}`, { waitUntil: 'networkidle0' });
    await w.page.waitForFunction(() => document.querySelectorAll('.uplot canvas').length >= 5);
    await w.page.emulateMediaType('print');
    expect(await w.page.$eval('#stream-pick', (e) => getComputedStyle(e.closest('label')!).display)).toBe('none');
    const pdf = await w.page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.byteLength).toBeGreaterThan(10_000);
    expect(w.errors).toEqual([]);
    await w.page.close();
  }, 30_000);
});
