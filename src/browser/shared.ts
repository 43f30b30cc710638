/**
 * One hidden browser for everything Pickle does in a browser (camera, microphone, local voice).
 * It runs while at least one user holds it and exits when the last one lets go, so turning the
 * senses off leaves no browser behind. Users bring the switches they need (a fake camera file);
 * when a user needs a switch the running browser lacks, it is relaunched with the union, and the
 * other users reopen their pages as after a crash.
 */
import type { Browser } from 'puppeteer-core';
import type { Logger } from '../log.ts';
import { launchHiddenBrowser } from './launch.ts';
import type { ChildHost } from '../children.ts';

export interface SharedBrowserOptions {
  executablePath: string;
  /** Switches every launch gets (CHROME_ARGS). */
  args?: readonly string[];
  /** Keep sound on: the voice plays on this PC (AUDIO_OUTPUT=local). */
  audible?: boolean;
  launchTimeoutMs?: number;
  log: Logger;
  /** Where the pages' machines run (the orchestrator's children in Pickle). */
  children?: ChildHost;
}

export interface SharedBrowser {
  readonly executablePath: string;
  /** The running browser (launched if needed) for `user`, who holds it until `release`. */
  acquire(user: string, args?: readonly string[]): Promise<Browser>;
  /** `user` no longer needs it; the browser exits when nobody does. */
  release(user: string): Promise<void>;
  /** Who holds it now. */
  holders(): string[];
  pid(): number | undefined;
  readonly launches: number;
  /** Where its pages' machines run; none: each page's machine runs on its own. */
  readonly children?: ChildHost;
}

export function createSharedBrowser(opts: SharedBrowserOptions): SharedBrowser {
  const base = [...(opts.args ?? [])];
  const timeoutMs = opts.launchTimeoutMs ?? 30_000;
  const holders = new Map<string, readonly string[]>();
  let browser: Browser | undefined;
  let running: readonly string[] = [];
  let launching: Promise<Browser> | undefined;
  let launches = 0;

  const wanted = () => [...base, ...[...holders.values()].flat()].filter((a, i, all) => all.indexOf(a) === i);
  const lacks = (args: readonly string[]) => args.some((a) => !running.includes(a));

  async function launch(): Promise<Browser> {
    const args = wanted();
    const b = await launchHiddenBrowser({ executablePath: opts.executablePath, args, audible: opts.audible ?? false, timeoutMs, log: opts.log });
    launches++;
    browser = b;
    running = args;
    b.once('disconnected', () => {
      if (browser === b) browser = undefined;
    });
    opts.log.info({ event: 'browser.up', pid: b.process()?.pid, holders: [...holders.keys()] }, 'hidden browser up');
    return b;
  }

  async function close(b: Browser): Promise<void> {
    if (browser === b) browser = undefined;
    await b.close().catch(() => b.process()?.kill('SIGKILL'));
  }

  return {
    executablePath: opts.executablePath,
    ...(opts.children ? { children: opts.children } : {}),
    async acquire(user, args = []) {
      holders.set(user, args);
      while (launching) await launching.catch(() => undefined);
      if (browser?.connected && !lacks(args)) return browser;
      if (browser) await close(browser);
      launching = launch();
      try {
        const b = await launching;
        if (!holders.has(user) && holders.size === 0) {
          // Released while it was starting.
          await close(b);
          throw new Error('the browser is no longer needed');
        }
        return b;
      } finally {
        launching = undefined;
      }
    },
    async release(user) {
      if (!holders.delete(user)) return;
      if (holders.size > 0) return;
      await launching?.catch(() => undefined);
      if (holders.size === 0 && browser) {
        opts.log.info({ event: 'browser.exit', pid: browser.process()?.pid }, 'hidden browser no longer needed');
        await close(browser);
      }
    },
    holders: () => [...holders.keys()],
    pid: () => browser?.process()?.pid,
    get launches() {
      return launches;
    },
  };
}
