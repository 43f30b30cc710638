/** Real Chromium for the page tests: where it is, how to start it, how to judge a screenshot. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const CANDIDATES = [process.env['CHROME_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The system Chromium, or undefined (then the browser tests are skipped, saying why). */
export const chromiumPath: string | undefined = CANDIDATES.find((p): p is string => !!p && existsSync(p));

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath!,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
      // Like OBS's browser source: audio may start without a click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export interface Watched {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** alert()/confirm()/prompt() dialogs (an XSS would show here). */
  dialogs: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
  /** Responses with an error status: `STATUS URL`. */
  failed: string[];
}

export async function openPage(browser: Browser, width: number, height: number): Promise<Watched> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const w: Watched = { page, requests: [], dialogs: [], errors: [], failed: [] };
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) w.failed.push(`${r.status()} ${r.url()}`);
  });
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${(e as Error).message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
  });
  return w;
}

/** Is the element there, rendered, not transparent, and at least partly inside the viewport? */
export async function visible(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const e = document.querySelector(sel);
    if (!e) return false;
    const r = e.getBoundingClientRect();
    const seen = (e as Element & { checkVisibility?: (o: object) => boolean }).checkVisibility?.({ opacityProperty: true, visibilityProperty: true }) ?? true;
    return seen && r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  }, selector);
}

export interface ShotReport {
  file: string;
  width: number;
  height: number;
  /** Share of pixels that differ clearly from the most common colour (the background). */
  inkShare: number;
  /** Distinct colours (5 bits per channel): a blank or single-colour page has a handful. */
  colours: number;
}

/**
 * Saves a PNG for people to look at and measures a JPEG of the same view: a blank page (all
 * background) has almost no ink and few colours.
 */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<ShotReport> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  const png = await page.screenshot({ type: 'png', fullPage: opts.fullPage ?? false });
  writeFileSync(file, png);
  const jpg = await page.screenshot({ type: 'jpeg', quality: 85, fullPage: opts.fullPage ?? false });
  const img = jpeg.decode(Buffer.from(jpg), { useTArray: true });
  const counts = new Map<number, number>();
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const key = ((img.data[i * 4]! >> 3) << 10) | ((img.data[i * 4 + 1]! >> 3) << 5) | (img.data[i * 4 + 2]! >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let bg = 0;
  let best = -1;
  for (const [k, c] of counts) if (c > best) [bg, best] = [k, c];
  const bgRgb = [((bg >> 10) & 31) << 3, ((bg >> 5) & 31) << 3, (bg & 31) << 3];
  let ink = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.max(
      Math.abs(img.data[i * 4]! - bgRgb[0]!),
      Math.abs(img.data[i * 4 + 1]! - bgRgb[1]!),
      Math.abs(img.data[i * 4 + 2]! - bgRgb[2]!),
    );
    if (d > 40) ink += 1;
  }
  return { file, width: img.width, height: img.height, inkShare: ink / n, colours: counts.size };
}

/** A readable one-liner for the test output. */
export function describeShot(r: ShotReport): string {
  return `${r.file.replace(/^.*\/test\//, 'test/')}: ${r.width}×${r.height}, ${(r.inkShare * 100).toFixed(1)} % ink, ${r.colours} colours`;
}
