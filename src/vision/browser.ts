/**
 * The camera page in Pickle's hidden browser (src/browser): the page gets the camera functions
 * and reports; the browser itself is shared with the other senses.
 */
import type { Logger } from '../log.ts';
import { createPageHost, type BrowserLifecycle } from '../browser/pageHost.ts';
import { createSharedBrowser, type SharedBrowser } from '../browser/shared.ts';
import type { PageConfig, PageReport, FrameInfo } from './types.ts';

export { launchArgs, needsNoSandbox } from '../browser/launch.ts';

export interface CameraBrowserOptions {
  /** The shared hidden browser; without it the camera gets a browser of its own. */
  shared?: SharedBrowser;
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
  onBrowser: (state: BrowserLifecycle) => void;
  backoff?: { baseMs: number; maxMs: number };
  stableMs?: number;
  launchTimeoutMs?: number;
}

export interface CameraBrowser {
  start(): void;
  stop(): Promise<void>;
  /** The browser's process id while the camera page runs in it. */
  pid(): number | undefined;
  /** Counters kept by the page (frames captured, skipped as unchanged, sent…), if it is up. */
  pageStats(): Promise<Record<string, unknown> | undefined>;
  readonly launches: number;
}

export function createCameraBrowser(opts: CameraBrowserOptions): CameraBrowser {
  const shared =
    opts.shared ?? createSharedBrowser({ executablePath: opts.executablePath, log: opts.log, ...(opts.launchTimeoutMs ? { launchTimeoutMs: opts.launchTimeoutMs } : {}) });
  const host = createPageHost({
    name: 'camera',
    shared,
    pageUrl: opts.pageUrl,
    args: opts.extraArgs ?? [],
    log: opts.log,
    onBrowser: opts.onBrowser,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.stableMs ? { stableMs: opts.stableMs } : {}),
    ...(opts.launchTimeoutMs ? { loadTimeoutMs: opts.launchTimeoutMs } : {}),
    functions: {
      pickleConfig: () => opts.config,
      pickleStatus: (report: PageReport) => opts.onReport(report),
      pickleFrame: (b64: string, info: FrameInfo) => opts.onFrame(String(b64), info ?? {}),
      pickleScene: (text: string) => opts.onScene(String(text)),
    },
  });
  return {
    start: () => host.start(),
    stop: () => host.stop(),
    pid: () => host.pid(),
    async pageStats() {
      const p = host.page();
      if (!p) return undefined;
      try {
        return await p.evaluate(() => window.__pickleStats?.());
      } catch {
        return undefined;
      }
    },
    get launches() {
      return host.opens;
    },
  };
}
