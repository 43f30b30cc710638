/**
 * Launching Pickle's hidden browser: the streamer's own Chrome/Chromium/Edge, headless, talked
 * to over a pipe (no debugging port on the machine). Media permission is granted by a switch
 * (`--use-fake-ui-for-media-stream`: no prompt, only this profile).
 */
import type { Browser } from 'puppeteer-core';
import type { Logger } from '../log.ts';
import { errorText } from '../errors.ts';

/** Switches every launch gets. puppeteer adds its own defaults (no first run, no background throttling…). */
export function launchArgs(extra: readonly string[] = [], opts: { noSandbox: boolean; audible?: boolean }): string[] {
  const base = [
    '--use-fake-ui-for-media-stream',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    // Silent unless the voice is played on this PC (AUDIO_OUTPUT=local).
    ...(opts.audible ? [] : ['--mute-audio']),
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

export interface LaunchOptions {
  executablePath: string;
  args: readonly string[];
  /** Keep sound on (puppeteer mutes headless browsers by default). */
  audible: boolean;
  timeoutMs: number;
  log: Logger;
}

let sandboxUnavailable = needsNoSandbox();

/** One launch; with no user namespaces (containers, hardened kernels) it retries unsandboxed rather than not at all. */
export async function launchHiddenBrowser(opts: LaunchOptions): Promise<Browser> {
  // Loaded on the first launch: a Pickle that never opens its browser never loads puppeteer.
  const { default: puppeteer } = await import('puppeteer-core');
  const launch = () =>
    puppeteer.launch({
      executablePath: opts.executablePath,
      headless: true,
      pipe: true,
      // No DevTools Network events: every frame the mic page sends on its socket would otherwise
      // be copied, base64, through the pipe to Pickle (measured: a third of the browser
      // process's CPU while listening). Nothing here reads requests or responses.
      networkEnabled: false,
      issuesEnabled: false,
      args: launchArgs(opts.args, { noSandbox: sandboxUnavailable, audible: opts.audible }),
      ...(opts.audible ? { ignoreDefaultArgs: ['--mute-audio'] } : {}),
      defaultViewport: { width: 320, height: 240 },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: opts.timeoutMs,
      protocolTimeout: opts.timeoutMs,
    });
  try {
    return await launch();
  } catch (err) {
    const message = errorText(err);
    if (sandboxUnavailable || !/no usable sandbox|setuid sandbox|namespace/i.test(message)) throw err;
    opts.log.warn({ event: 'browser.launch', err: firstLine(message) }, 'browser sandbox unavailable: retrying with --no-sandbox');
    sandboxUnavailable = true;
    return launch();
  }
}


export function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
