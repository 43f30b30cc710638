/**
 * `npm start -- --list-devices`: the microphones and speakers Pickle's hidden browser sees, for
 * AUDIO_INPUT_DEVICE and AUDIO_OUTPUT_DEVICE (any part of a name works). The browser opens the
 * microphone page from a throwaway server on 127.0.0.1, opens the default microphone once (the
 * names stay hidden until a page has used one), lists, and exits.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Env } from '../config/env.ts';
import { silentLogger } from '../log.ts';
import { sanitizeReport, type MicReport } from '../audio/browserMic.ts';
import { hiddenBrowser } from './index.ts';
import { createPageHost } from './pageHost.ts';
import { sensesRoutes } from './routes.ts';

export async function listBrowserDevices(env: Env, timeoutMs = 30_000): Promise<{ ok: boolean; lines: string[] }> {
  const app = express();
  app.use(sensesRoutes());
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const log = silentLogger();
  const browser = hiddenBrowser(env, { baseUrl, log });
  try {
    if (!browser.shared) return { ok: false, lines: [`Cannot list sound devices: ${browser.fault?.detail ?? 'no browser'}.`, `To fix it: ${browser.fault?.fix ?? ''}.`] };
    let failed: string | undefined;
    let answer: (r: MicReport | undefined) => void = () => {};
    const answered = new Promise<MicReport | undefined>((resolve) => (answer = resolve));
    const timer = setTimeout(() => answer(undefined), timeoutMs);
    const host = createPageHost({
      name: 'devices',
      shared: browser.shared,
      pageUrl: `${baseUrl}/senses/mic`,
      log,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      onBrowser: (b) => {
        if (b.state === 'failed' || b.state === 'crashed') {
          failed = `${b.detail}${b.error ? ` (${b.error})` : ''}`;
          answer(undefined);
        }
      },
      functions: {
        pickleMicConfig: () => ({ device: null, chunkMs: 100, retryMs: 60_000, listOnly: true }),
        pickleMicStatus: (raw: MicReport) => {
          const r = sanitizeReport(raw);
          if (r.state === 'devices') answer(r);
        },
        pickleMicAudio: () => undefined,
      },
    });
    host.start();
    const report = await answered;
    clearTimeout(timer);
    await host.stop();
    if (!report) return { ok: false, lines: [`Cannot list sound devices: ${failed ?? 'the browser did not answer'}.`, 'Check that your browser starts (CHROME_PATH), then try again.'] };
    const list = (names: string[] | undefined) => ((names ?? []).length ? (names ?? []).map((n) => `  ${n}`) : ['  (none found)']);
    return {
      ok: true,
      lines: [
        `Sound devices seen by ${browser.shared.executablePath}:`,
        'Microphones (AUDIO_INPUT_DEVICE, any part of the name):',
        ...list(report.inputs),
        'Speakers (AUDIO_OUTPUT_DEVICE with AUDIO_OUTPUT=local, any part of the name):',
        ...list(report.outputs),
      ],
    };
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}
