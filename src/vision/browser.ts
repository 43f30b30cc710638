/**
 * The camera browser: the streamer's Chrome/Chromium/Edge, headless, opening Pickle's camera
 * page. Camera permission is granted by a switch (`--use-fake-ui-for-media-stream`: no prompt,
 * only this profile); puppeteer talks to it over a pipe (no debugging port on the machine).
 * If the browser dies it is launched again, with a growing pause.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { Logger } from '../log.ts';
import type { PageConfig, PageReport, FrameInfo } from './types.ts';

export interface CameraBrowserOptions {
  executablePath: string;
  /** The capture page on Pickle's server, e.g. http://127.0.0.1:8000/vision/capture */
  pageUrl: string;
  /** Extra switches (a camera file for rehearsal, tests). Later switches win over earlier ones. */
  extraArgs?: readonly string[];
  config: PageConfig;
  log: Logger;
  onReport(report: PageReport): void;
  onFrame(base64: string, info: FrameInfo): Promise<{ accepted: boolean }>;
  onScene(text: string): void;
  /** Browser lifecycle, for the status board. */
  onBrowser(state: { state: 'launching' | 'up' | 'crashed' | 'failed'; detail: string; retryInMs?: number; error?: string }): void;
  /** First relaunch delay; doubles per failure up to maxMs. Default 1 000 / 30 000. */
  backoff?: { baseMs: number; maxMs: number };
  /** Up this long counts as healthy again (backoff resets). Default 60 000. */
  stableMs?: number;
  /** Launch and first page load limit. Default 30 000. */
  launchTimeoutMs?: number;
}

export interface CameraBrowser {
  start(): void;
  stop(): Promise<void>;
  /** The browser's process id while it runs. */
  pid(): number | undefined;
  /** Counters kept by the page (frames captured, skipped as unchanged, sent…), if it is up. */
  pageStats(): Promise<Record<string, unknown> | undefined>;
  readonly launches: number;
}

/** Switches every launch gets. puppeteer adds its own defaults (no first run, no background throttling…). */
export function launchArgs(extra: readonly string[] = [], opts: { noSandbox: boolean }): string[] {
  const base = [
    '--use-fake-ui-for-media-stream',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--mute-audio',
    '--autoplay-policy=no-user-gesture-required',
    ...(opts.noSandbox ? ['--no-sandbox'] : []),
  ];
  // Later wins: `--use-fake-ui-for-media-stream=deny` from the caller replaces the default.
  const name = (a: string) => a.split('=')[0]!;
  const all = [...base, ...extra];
  return all.filter((a, i) => !all.slice(i + 1).some((b) => name(b) === name(a)));
}

/** Chromium refuses to run as root without --no-sandbox (containers, some Linux setups). */
export function needsNoSandbox(): boolean {
  return process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;
}

/** A crashed browser is started again after 1 s, 2 s, 4 s… up to 30 s (README "Vision"). */
export const BROWSER_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

export function createCameraBrowser(opts: CameraBrowserOptions): CameraBrowser {
  const log = opts.log;
  const backoff = opts.backoff ?? BROWSER_BACKOFF;
  const stableMs = opts.stableMs ?? 60_000;
  const launchTimeoutMs = opts.launchTimeoutMs ?? 30_000;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let stopped = true;
  let failures = 0;
  let launches = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let stableTimer: NodeJS.Timeout | undefined;
  let launching: Promise<void> | undefined;
  let noSandbox = needsNoSandbox();

  function scheduleRelaunch(why: 'crashed' | 'failed', detail: string, error?: string): void {
    if (stopped) return;
    clearTimeout(stableTimer);
    const delay = Math.min(backoff.baseMs * 2 ** failures, backoff.maxMs);
    failures++;
    opts.onBrowser({ state: why, detail, retryInMs: delay, ...(error ? { error } : {}) });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void launch(), delay);
  }

  async function launch(): Promise<void> {
    if (stopped || launching) return launching;
    launching = (async () => {
      opts.onBrowser({ state: 'launching', detail: 'starting the browser' });
      let b: Browser | undefined;
      try {
        b = await puppeteer.launch({
          executablePath: opts.executablePath,
          headless: true,
          pipe: true,
          args: launchArgs(opts.extraArgs, { noSandbox }),
          defaultViewport: { width: 320, height: 240 },
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
          timeout: launchTimeoutMs,
          protocolTimeout: launchTimeoutMs,
        });
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        // No user namespaces (containers, hardened kernels): run unsandboxed rather than not at all.
        if (!noSandbox && /no usable sandbox|setuid sandbox|namespace/i.test(message)) {
          log.warn({ event: 'vision.browser', err: firstLine(message) }, 'browser sandbox unavailable: retrying with --no-sandbox');
          noSandbox = true;
          launching = undefined;
          return launch();
        }
        log.warn({ event: 'vision.browser', err: firstLine(message) }, 'browser launch failed');
        scheduleRelaunch('failed', 'the browser did not start', firstLine(message));
        return;
      }
      if (stopped) {
        await b.close().catch(() => {});
        return;
      }
      launches++;
      browser = b;
      const pid = b.process()?.pid;
      b.once('disconnected', () => {
        if (browser !== b) return;
        browser = undefined;
        page = undefined;
        if (stopped) return;
        log.warn({ event: 'vision.browser', pid }, 'browser closed unexpectedly');
        scheduleRelaunch('crashed', 'the browser closed unexpectedly');
      });
      try {
        const p = await b.newPage();
        page = p;
        p.on('pageerror', (err) => log.warn({ event: 'vision.page', err: firstLine(String((err as Error).message ?? err)) }, 'camera page error'));
        p.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warn') log.debug({ event: 'vision.page', level: m.type(), text: m.text().slice(0, 300) }, 'camera page console');
        });
        p.on('error', (err) => {
          // The renderer crashed: a new browser is the simplest clean state.
          log.warn({ event: 'vision.page', err: firstLine(err.message) }, 'camera page crashed');
          void b.close().catch(() => {});
        });
        await p.exposeFunction('pickleConfig', () => opts.config);
        await p.exposeFunction('pickleStatus', (report: PageReport) => opts.onReport(report));
        await p.exposeFunction('pickleFrame', (b64: string, info: FrameInfo) => opts.onFrame(String(b64), info ?? {}));
        await p.exposeFunction('pickleScene', (text: string) => opts.onScene(String(text)));
        await p.goto(opts.pageUrl, { waitUntil: 'load', timeout: launchTimeoutMs });
        log.info({ event: 'vision.browser', pid, launches }, 'camera browser up');
        opts.onBrowser({ state: 'up', detail: 'browser running' });
        clearTimeout(stableTimer);
        stableTimer = setTimeout(() => (failures = 0), stableMs);
        stableTimer.unref?.();
      } catch (err) {
        if (browser !== b || stopped) return;
        const message = firstLine((err as Error).message ?? String(err));
        log.warn({ event: 'vision.browser', err: message }, 'camera page did not open');
        browser = undefined;
        page = undefined;
        await b.close().catch(() => {});
        scheduleRelaunch('failed', 'the camera page did not open', message);
      }
    })().finally(() => {
      launching = undefined;
    });
    return launching;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      failures = 0;
      void launch();
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(stableTimer);
      await launching?.catch(() => {});
      const b = browser;
      browser = undefined;
      page = undefined;
      if (b) await b.close().catch(() => b.process()?.kill('SIGKILL'));
    },
    pid: () => browser?.process()?.pid,
    async pageStats() {
      const p = page;
      if (!p) return undefined;
      try {
        return await p.evaluate(() => (window as unknown as { __pickleStats?: () => Record<string, unknown> }).__pickleStats?.());
      } catch {
        return undefined;
      }
    },
    get launches() {
      return launches;
    },
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
