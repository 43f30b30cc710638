/**
 * AUDIO_OUTPUT=local: Pickle's voice also plays on this PC, through the hidden browser (the
 * overlay's player on a page of its own, AUDIO_OUTPUT_DEVICE picked by name with setSinkId).
 * No native module. The page holds the browser for as long as Pickle runs; `audio` on the
 * status board says where the voice plays, and leaves `starting` within `answerMs` (30 s): a page
 * that never answers is `down`, saying so (machines/arrivals.ts decides).
 */
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { createPageHost, type PageHost } from '../browser/pageHost.ts';
import type { SharedBrowser } from '../browser/shared.ts';
import { standaloneChildren, tell, type ChildHost } from '../children.ts';
import { sanitizeReport, type MicReport } from './browserMic.ts';

export interface LocalSpeakerOptions {
  shared: SharedBrowser;
  baseUrl: string;
  /** What the page joins `/avatar` with (the server's `pageKey`; never the access token). */
  key: string;
  device?: string | undefined;
  log: Logger;
  status: StatusBoard;
  /** Where the page's deadline machine runs (in Pickle: the orchestrator's children). */
  children?: ChildHost | undefined;
  /** How long the page may take to answer (default 30 s). */
  answerMs?: number;
}

export function startLocalSpeaker(opts: LocalSpeakerOptions): PageHost {
  const { status } = opts;
  status.set('audio', 'starting', 'opening the voice page in the browser…');
  const children = opts.children ?? standaloneChildren();
  const answerMs = opts.answerMs ?? 30_000;
  const answered = children.start({ src: 'arrivals', systemId: 'arrivals:speaker', input: { firstMs: answerMs } });
  answered.on('arrivals.stalled', () => {
    if (status.get('audio')?.state !== 'starting') return;
    status.set('audio', 'down', `the voice page did not answer within ${Math.round(answerMs / 1000)} s: the voice does not play on this PC`, {
      fix: 'check that the browser starts (`npm run doctor`), or remove AUDIO_OUTPUT=local to play the voice in the OBS overlay only',
    });
  });
  tell(answered, { type: 'arrivals.watch' });
  const host = createPageHost({
    name: 'speaker',
    shared: opts.shared,
    pageUrl: `${opts.baseUrl}/senses/speaker`,
    log: opts.log,
    onBrowser: (b) => {
      if (b.state === 'crashed' || b.state === 'failed') status.set('audio', 'down', `${b.detail}: the voice does not play on this PC`, { fix: 'nothing to do: Pickle restarts it' });
    },
    functions: {
      pickleSpeakerConfig: () => ({ device: opts.device ?? null, key: opts.key }),
      pickleSpeakerStatus: (raw: MicReport) => {
        tell(answered, { type: 'arrivals.arrived' });
        const r = sanitizeReport(raw);
        if (r.state === 'up') status.set('audio', 'up', `the voice plays on ${r.label ?? 'this PC'} (AUDIO_OUTPUT=local)`);
        else {
          const found = (r.devices ?? []).slice(0, 6).map((d) => `"${d}"`);
          status.set('audio', 'down', `no speaker named like "${opts.device ?? ''}"${found.length ? ` (found ${found.join(', ')})` : ''}`, {
            fix: 'run `npm start -- --list-devices` and set AUDIO_OUTPUT_DEVICE to part of one of the names, or remove it for the default speaker',
          });
        }
      },
    },
  });
  host.start();
  return {
    start: () => host.start(),
    page: () => host.page(),
    pid: () => host.pid(),
    get opens() {
      return host.opens;
    },
    async stop() {
      children.stop('arrivals:speaker');
      await host.stop();
    },
  };
}

/** AUDIO_OUTPUT=local from the settings: the speaker page when there is a browser, else `audio: down` with why. */
export function localOutput(
  env: { AUDIO_OUTPUT: 'overlay' | 'local'; AUDIO_OUTPUT_DEVICE?: string | undefined },
  browser: { shared: SharedBrowser | undefined; fault?: { detail: string; fix: string } },
  opts: { baseUrl: string; key: string; log: Logger; status: StatusBoard; children?: ChildHost | undefined },
): PageHost | undefined {
  if (env.AUDIO_OUTPUT !== 'local') return undefined;
  if (!browser.shared) {
    const fault = browser.fault ?? { detail: 'no browser', fix: 'install Chrome, Chromium or Edge, or set CHROME_PATH' };
    opts.status.set('audio', 'down', `${fault.detail}: the voice cannot play on this PC`, { fix: fault.fix });
    return undefined;
  }
  return startLocalSpeaker({ shared: browser.shared, baseUrl: opts.baseUrl, key: opts.key, device: env.AUDIO_OUTPUT_DEVICE, log: opts.log, status: opts.status, children: opts.children });
}
