/**
 * Chrome: found, and the microphones and cameras it can see. A blank page on 127.0.0.1 (a secure
 * context, like Pickle's camera page) asks for the devices with permission granted by a switch,
 * so the labels are real names.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer from 'puppeteer-core';
import type { Env } from '../../config/env.ts';
import { findBrowser } from '../../vision/chrome.ts';
import { launchArgs, needsNoSandbox } from '../../vision/browser.ts';
import { fail, ok, reason, warn, type Check, type CheckResult } from '../types.ts';

export interface ChromeCheckOptions {
  /** Extra switches (tests: `--use-fake-device-for-media-stream`). */
  extraArgs?: string[];
}

interface Device {
  kind: string;
  label: string;
}

export function chromeCheck(env: Env, opts: ChromeCheckOptions = {}): Check {
  return {
    name: 'Chrome',
    timeoutMs: 20_000,
    run: async (signal): Promise<CheckResult[]> => {
      const found = findBrowser({ platform: process.platform, env: process.env, chromePath: env.CHROME_PATH });
      const notFound = env.VISION_ENABLED ? fail : warn;
      if (!found) return [notFound('Chrome', 'no Chrome, Chromium or Edge found', 'install Chrome or Chromium, or set CHROME_PATH to the browser')];
      let devices: Device[];
      try {
        devices = await listDevices(found.path, opts.extraArgs ?? [], signal);
      } catch (err) {
        return [notFound('Chrome', `${found.path} did not start (${reason(err)})`, 'set CHROME_PATH to a working Chrome or Chromium')];
      }
      const mics = devices.filter((d) => d.kind === 'audioinput');
      const cams = devices.filter((d) => d.kind === 'videoinput');
      const names = (list: Device[]) => list.map((d) => d.label || '(unnamed)').join(', ');
      const out: CheckResult[] = [ok('Chrome', found.path)];
      out.push(mics.length > 0 ? ok('Microphones', `${mics.length}: ${names(mics)}`) : warn('Microphones', 'none seen by the browser', 'plug in a microphone (or check the OS privacy settings)'));
      if (cams.length === 0) {
        out.push((env.VISION_ENABLED ? fail : warn)('Cameras', 'none seen by the browser', 'plug in a camera, start OBS Virtual Camera, or set VISION_CAMERA_FILE'));
      } else if (env.VISION_CAMERA && !cams.some((c) => c.label.toLowerCase().includes(env.VISION_CAMERA!.toLowerCase()))) {
        out.push(fail('Cameras', `no camera named like "${env.VISION_CAMERA}" (have: ${names(cams)})`, 'set VISION_CAMERA to part of one of these names'));
      } else {
        out.push(ok('Cameras', `${cams.length}: ${names(cams)}`));
      }
      return out;
    },
  };
}

async function listDevices(executablePath: string, extraArgs: string[], signal: AbortSignal): Promise<Device[]> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>pickle doctor</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await puppeteer.launch({ executablePath, headless: true, args: launchArgs(extraArgs, { noSandbox: needsNoSandbox() }), timeout: 15_000 });
  const stop = () => void browser.close().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return await page.evaluate(async () => {
      // Asking once makes the labels readable; a missing device kind is not an error here.
      for (const c of [{ audio: true }, { video: true }]) {
        try {
          const s = await navigator.mediaDevices.getUserMedia(c);
          s.getTracks().forEach((t) => t.stop());
        } catch {
          /* no such device */
        }
      }
      return (await navigator.mediaDevices.enumerateDevices()).map((d) => ({ kind: d.kind, label: d.label }));
    });
  } finally {
    signal.removeEventListener('abort', stop);
    await browser.close().catch(() => undefined);
    server.close();
  }
}
