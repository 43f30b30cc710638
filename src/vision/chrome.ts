/**
 * Finding the streamer's own Chrome, Chromium or Edge (Pickle downloads no browser).
 * CHROME_PATH wins; otherwise the usual install places of each OS are tried in order.
 * puppeteer's own lookup only knows Google Chrome, so the list is ours.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export interface BrowserLookup {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Whether a file exists and can be run (injected by tests). */
  exists?: (file: string) => boolean;
  home?: string;
}

export interface FoundBrowser {
  path: string;
  /** Where it came from: `CHROME_PATH`, or the place it was found. */
  source: 'CHROME_PATH' | 'auto';
}

function runnable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The places tried, in order of preference: Chrome, then Chromium, then Edge (Edge ships with Windows). */
export function browserCandidates(opts: BrowserLookup): string[] {
  const { platform, env } = opts;
  const home = opts.home ?? homedir();
  if (platform === 'win32') {
    const win = path.win32;
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA, 'C:\\Program Files', 'C:\\Program Files (x86)'].filter(
      (r, i, all): r is string => !!r && all.indexOf(r) === i,
    );
    const apps = [
      'Google\\Chrome\\Application\\chrome.exe',
      'Chromium\\Application\\chrome.exe',
      'Microsoft\\Edge\\Application\\msedge.exe',
      'BraveSoftware\\Brave-Browser\\Application\\brave.exe',
    ];
    return apps.flatMap((app) => roots.map((root) => win.join(root, app)));
  }
  if (platform === 'darwin') {
    const apps = [
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Chromium.app/Contents/MacOS/Chromium',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      'Brave Browser.app/Contents/MacOS/Brave Browser',
    ];
    return apps.flatMap((app) => [path.posix.join('/Applications', app), path.posix.join(home, 'Applications', app)]);
  }
  // Linux and the other unixes: the PATH first, then the fixed install places.
  const names = [
    'google-chrome-stable',
    'google-chrome',
    'chromium',
    'chromium-browser',
    'microsoft-edge-stable',
    'microsoft-edge',
    'brave-browser',
  ];
  const dirs = (env.PATH ?? '').split(':').filter(Boolean);
  const onPath = names.flatMap((n) => dirs.map((d) => path.posix.join(d, n)));
  const fixed = ['/opt/google/chrome/chrome', '/snap/bin/chromium', '/usr/lib/chromium/chromium', '/opt/microsoft/msedge/msedge', '/opt/brave.com/brave/brave'];
  return [...onPath, ...fixed].filter((p, i, all) => all.indexOf(p) === i);
}

/** CHROME_PATH if set (even when wrong: the streamer asked for it, and is told so), else the first installed browser. */
export function findBrowser(opts: BrowserLookup & { chromePath?: string | undefined }): FoundBrowser | undefined {
  if (opts.chromePath) return { path: opts.chromePath, source: 'CHROME_PATH' };
  const exists = opts.exists ?? runnable;
  const found = browserCandidates(opts).find((p) => exists(p));
  return found ? { path: found, source: 'auto' } : undefined;
}

/** What to tell a streamer who has none. */
export function installHint(platform: NodeJS.Platform): string {
  if (platform === 'win32' || platform === 'darwin') return 'install Google Chrome (or Edge), or set CHROME_PATH to your browser';
  return 'install Chromium (`sudo apt install chromium`) or Google Chrome, or set CHROME_PATH to your browser';
}

export const isRunnable = runnable;
