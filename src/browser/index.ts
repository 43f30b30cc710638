/**
 * Pickle's hidden browser for this run: which browser, with which switches. Nothing is launched
 * here; the browser starts when a sense first needs it (src/browser/shared.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import { findBrowser, installHint, isRunnable } from '../vision/chrome.ts';
import { createSharedBrowser, type SharedBrowser } from './shared.ts';
import type { ChildHost } from '../children.ts';

export interface HiddenBrowser {
  shared: SharedBrowser | undefined;
  /** Why there is none. */
  fault?: { detail: string; fix: string };
}

export function hiddenBrowser(env: Env, opts: { baseUrl: string; log: Logger; platform?: NodeJS.Platform; extraArgs?: readonly string[]; children?: ChildHost }): HiddenBrowser {
  const platform = opts.platform ?? process.platform;
  const found = findBrowser({ platform, env: process.env, chromePath: env.CHROME_PATH });
  if (!found) return { shared: undefined, fault: { detail: 'no Chrome, Chromium or Edge found', fix: installHint(platform) } };
  if (found.source === 'CHROME_PATH' && !isRunnable(found.path)) {
    return { shared: undefined, fault: { detail: `CHROME_PATH is "${found.path.slice(0, 120)}", which is not a program`, fix: 'set CHROME_PATH to your Chrome/Chromium/Edge executable, or remove it to let Pickle look' } };
  }
  const args = [...env.CHROME_ARGS, ...(opts.extraArgs ?? [])];
  // The camera file is known now: launching with it spares a relaunch when the camera page opens after the microphone's.
  if (env.VISION_ENABLED && env.VISION_CAMERA_FILE && existsSync(resolve(env.VISION_CAMERA_FILE))) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${resolve(env.VISION_CAMERA_FILE)}`);
  }
  // Browsers give cameras and microphones only to secure pages; a loopback http page counts, a LAN address does not.
  const origin = new URL(opts.baseUrl).origin;
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(origin)) args.unshift(`--unsafely-treat-insecure-origin-as-secure=${origin}`);
  return { shared: createSharedBrowser({ executablePath: found.path, args, audible: env.AUDIO_OUTPUT === 'local', log: opts.log.child({ service: 'browser' }), ...(opts.children ? { children: opts.children } : {}) }) };
}
