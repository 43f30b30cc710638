/**
 * One page of Pickle's in the shared hidden browser (the camera page, the microphone page…),
 * kept open: the page gets Pickle's functions on `window` (puppeteer exposeFunction) and is
 * loaded from Pickle's server. If the browser dies the page is opened again in a new one, with
 * a growing pause (decided by the reconnect machine, with machines/browserPage.ts's settings); `stop` closes the page and lets go of the browser.
 */
import type { Browser, Page } from 'puppeteer-core';
import type { AdapterChild } from '../../machines/children.ts';
import { PAGE_JITTER, pageReconnectInput } from '../../machines/browserPage.ts';
import { standaloneChildren } from '../children.ts';
import type { Logger } from '../log.ts';
import { firstLine } from './launch.ts';
import { errorText } from '../errors.ts';
import type { SharedBrowser } from './shared.ts';

/** Functions the page may call (their arguments come from the page: untrusted). */
export type PageFunctions = Record<string, (...args: never[]) => unknown>;

export interface BrowserLifecycle {
  state: 'launching' | 'up' | 'crashed' | 'failed';
  detail: string;
  retryInMs?: number;
  error?: string;
}

export interface PageHostOptions {
  /** Who holds the browser, for logs and the shared browser ('camera', 'microphone'). */
  name: string;
  shared: SharedBrowser;
  pageUrl: string;
  /** Switches this page needs (a fake camera file…). */
  args?: readonly string[];
  functions: PageFunctions;
  log: Logger;
  onBrowser(state: BrowserLifecycle): void;
  /** First relaunch delay; doubles per failure up to maxMs. Default 1 000 / 30 000. */
  backoff?: { baseMs: number; maxMs: number };
  /** Up this long counts as healthy again (backoff resets). Default 60 000. */
  stableMs?: number;
  /** First page load limit. Default 30 000. */
  loadTimeoutMs?: number;
}

export interface PageHost {
  start(): void;
  stop(): Promise<void>;
  /** The page while it is open. */
  page(): Page | undefined;
  /** The browser's process id while this page is open in it. */
  pid(): number | undefined;
  /** Pages opened so far (one per browser launch or relaunch). */
  readonly opens: number;
}

export function createPageHost(opts: PageHostOptions): PageHost {
  const { log, name } = opts;
  const loadTimeoutMs = opts.loadTimeoutMs ?? 30_000;
  // When to open and when to try again is the machine's call; this adapter opens, closes and reports.
  // In Pickle the machine is the orchestrator's child `browserPage:<name>`, from start() to stop().
  const children = opts.shared.children ?? standaloneChildren();
  const systemId = `browserPage:${name}`;
  let lifecycle: AdapterChild<'reconnect'> | undefined;
  /** What went wrong last, for the retry's status line. */
  let lastFailure: { why: 'crashed' | 'failed'; detail: string; error?: string } = { why: 'failed', detail: '' };
  let browser: Browser | undefined;
  let page: Page | undefined;
  let stopped = true;
  let opens = 0;
  let opening: Promise<void> | undefined;

  const failed = (why: 'crashed' | 'failed', detail: string, error?: string) => {
    lastFailure = { why, detail, ...(error !== undefined ? { error } : {}) };
    lifecycle?.send({ type: 'connection.lost', failure: 'retryable', reason: detail, jitter: PAGE_JITTER });
  };

  async function open(): Promise<void> {
    if (stopped || opening) return opening;
    opening = (async () => {
      opts.onBrowser({ state: 'launching', detail: 'starting the browser' });
      let b: Browser;
      try {
        b = await opts.shared.acquire(name, opts.args);
      } catch (err) {
        if (stopped) return;
        const message = firstLine(errorText(err));
        log.warn({ event: 'browser.launch', page: name, err: message }, 'browser launch failed');
        failed('failed', 'the browser did not start', message);
        return;
      }
      if (stopped) return;
      browser = b;
      const pid = b.process()?.pid;
      const onGone = () => {
        if (browser !== b) return;
        browser = undefined;
        page = undefined;
        if (stopped) return;
        log.warn({ event: 'browser.closed', page: name, pid }, 'browser closed unexpectedly');
        failed('crashed', 'the browser closed unexpectedly');
      };
      b.once('disconnected', onGone);
      try {
        const p = await b.newPage();
        page = p;
        p.on('pageerror', (err) => log.warn({ event: 'browser.page', page: name, err: firstLine(errorText(err)) }, 'page error'));
        p.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warn') log.debug({ event: 'browser.page', page: name, level: m.type(), text: m.text().slice(0, 300) }, 'page console');
        });
        p.on('error', (err) => {
          // The renderer crashed: a new page is a clean state.
          log.warn({ event: 'browser.page', page: name, err: firstLine(err.message) }, 'page crashed');
          if (page !== p) return;
          page = undefined;
          browser = undefined;
          b.off('disconnected', onGone);
          void p.close().catch(() => undefined);
          failed('crashed', 'the page crashed');
        });
        for (const [fn, impl] of Object.entries(opts.functions)) await p.exposeFunction(fn, impl);
        await p.goto(opts.pageUrl, { waitUntil: 'load', timeout: loadTimeoutMs });
        opens++;
        log.info({ event: 'browser.page', page: name, pid, opens }, 'page open');
        opts.onBrowser({ state: 'up', detail: 'browser running' });
        lifecycle?.send({ type: 'connection.opened' });
      } catch (err) {
        if (browser !== b || stopped) return;
        const message = firstLine(errorText(err));
        log.warn({ event: 'browser.page', page: name, err: message }, 'page did not open');
        browser = undefined;
        const p = page;
        page = undefined;
        b.off('disconnected', onGone);
        await p?.close().catch(() => undefined);
        failed('failed', `the ${name} page did not open`, message);
      }
    })().finally(() => {
      opening = undefined;
    });
    return opening;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      const l = children.start({
        src: 'reconnect',
        systemId,
        input: pageReconnectInput({
          ...(opts.backoff ? { baseMs: opts.backoff.baseMs, maxMs: opts.backoff.maxMs } : {}),
          ...(opts.stableMs ? { stableMs: opts.stableMs } : {}),
          // The browser's launch and the page's load time out on their own first (and say why).
          openTimeoutMs: 2 * loadTimeoutMs + 10_000,
        }),
      });
      lifecycle = l;
      l.on('connection.open', () => void open());
      l.on('connection.retrying', (e) => {
        const f = e.cause === 'timeout' ? { why: 'failed' as const, detail: `the ${name} page did not open in time` } : lastFailure;
        opts.onBrowser({ state: f.why, detail: f.detail, retryInMs: e.retryInMs, ...('error' in f && f.error ? { error: f.error } : {}) });
      });
      l.send({ type: 'connection.start' });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      lifecycle?.send({ type: 'connection.stop' });
      await opening?.catch(() => undefined);
      lifecycle = undefined;
      children.stop(systemId);
      const p = page;
      browser = undefined;
      page = undefined;
      // Closing the page ends its camera/microphone tracks; the browser exits if nobody else needs it.
      await p?.close().catch(() => undefined);
      await opts.shared.release(name);
    },
    page: () => page,
    pid: () => (page ? browser?.process()?.pid : undefined),
    get opens() {
      return opens;
    },
  };
}
