/**
 * The microphone through Pickle's hidden browser: getUserMedia with the browser's echo
 * canceller, noise suppression and auto gain, an AudioWorklet making 16 kHz mono PCM16, and the
 * chunks handed to Pickle through an exposed function (src/browser/page/mic.js). No native
 * module, no compiler: the streamer's Chrome/Chromium/Edge does the audio.
 */
import type { Logger } from '../log.ts';
import { createPageHost, type BrowserLifecycle, type PageHost } from '../browser/pageHost.ts';
import type { SharedBrowser } from '../browser/shared.ts';
import type { AudioInput } from './inputs.ts';
import { MIC_NAMESPACE, type MicChannel } from './micChannel.ts';
import { mediaErrorGroup, permissionFix } from '../browser/mediaFaults.ts';

export interface MicReport {
  state: 'up' | 'down' | 'devices';
  label?: string;
  reason?: string;
  message?: string;
  /** Microphone names the browser sees. */
  devices?: string[];
  inputs?: string[];
  outputs?: string[];
  sampleRate?: number;
  /** When getUserMedia was called (ms since epoch, the page's clock). */
  gumStartedAt?: number;
}

export interface BrowserMicOptions {
  shared: SharedBrowser;
  /** Pickle's server (the mic page is served there). */
  baseUrl: string;
  /** Part of the microphone's name (AUDIO_INPUT_DEVICE); the default microphone when unset. */
  device?: string | undefined;
  /** Extra switches for the browser (a fake microphone file in tests). */
  args?: readonly string[];
  chunkMs?: number;
  retryMs?: number;
  /** The socket the page sends audio on (default: an exposed function, base64 over the DevTools pipe). */
  channel?: MicChannel;
  log: Logger;
  onReport(report: MicReport): void;
  onBrowser: (state: BrowserLifecycle) => void;
  backoff?: { baseMs: number; maxMs: number };
}

/** Largest chunk accepted from the page (1 s of 16 kHz PCM16, as base64). */
const MAX_CHUNK_B64 = Math.ceil((16000 * 2 * 4) / 3) + 4;

export function browserMicSource(opts: BrowserMicOptions): AudioInput & { host(): PageHost | undefined } {
  let host: PageHost | undefined;
  let closeSession = () => {};
  let label = opts.device ? `microphone "${opts.device}"` : 'the microphone';
  return {
    get label() {
      return label;
    },
    host: () => host,
    async start(onChunk) {
      const session = opts.channel?.open((pcm) => {
        if (host === h) onChunk(pcm);
      });
      closeSession = () => session?.close();
      const h: PageHost = createPageHost({
        name: 'microphone',
        shared: opts.shared,
        pageUrl: `${opts.baseUrl}/senses/mic`,
        args: opts.args ?? [],
        log: opts.log,
        onBrowser: opts.onBrowser,
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
        functions: {
          pickleMicConfig: () => ({
            device: opts.device ?? null,
            chunkMs: opts.chunkMs ?? 100,
            retryMs: opts.retryMs ?? 10_000,
            listOnly: false,
            ...(session ? { socket: { namespace: MIC_NAMESPACE, key: session.key } } : {}),
          }),
          pickleMicStatus: (report: MicReport) => {
            if (host !== h) return;
            const r = sanitizeReport(report);
            if (r.state === 'up' && r.label) label = `microphone "${r.label}"`;
            opts.onReport(r);
          },
          pickleMicAudio: (b64: string) => {
            if (host !== h || typeof b64 !== 'string' || b64.length > MAX_CHUNK_B64) return;
            const pcm = Buffer.from(b64, 'base64');
            // Whole 16-bit samples only.
            const whole = pcm.length & ~1;
            if (whole > 0) onChunk(whole === pcm.length ? pcm : pcm.subarray(0, whole));
          },
        },
      });
      host = h;
      h.start();
    },
    async stop() {
      const h = host;
      host = undefined;
      closeSession();
      closeSession = () => {};
      await h?.stop();
    },
  };
}

const text = (v: unknown, n: number): string | undefined => (typeof v === 'string' ? v.slice(0, n) : undefined);
const names = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 20).map((x) => x.slice(0, 120)) : undefined);

/** What the page says is untrusted: keep the known fields, as text or numbers. */
export function sanitizeReport(raw: unknown): MicReport {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const state = r['state'] === 'up' || r['state'] === 'devices' ? r['state'] : 'down';
  const out: MicReport = { state };
  const put = <K extends keyof MicReport>(k: K, v: MicReport[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  put('label', text(r['label'], 120));
  put('reason', text(r['reason'], 60));
  put('message', text(r['message'], 300));
  put('devices', names(r['devices']));
  put('inputs', names(r['inputs']));
  put('outputs', names(r['outputs']));
  put('sampleRate', typeof r['sampleRate'] === 'number' ? r['sampleRate'] : undefined);
  put('gumStartedAt', typeof r['gumStartedAt'] === 'number' ? r['gumStartedAt'] : undefined);
  return out;
}

/** Browser error names from the microphone page → what the streamer reads, and what to do. */
export function microphoneFault(report: MicReport, ctx: { platform: NodeJS.Platform; device?: string | undefined; retrySec: number }): { detail: string; fix: string } {
  const retry = `Pickle retries every ${ctx.retrySec} s`;
  const group = mediaErrorGroup(report.reason);
  if (group === 'denied') return { detail: 'microphone permission denied', fix: permissionFix('microphone', ctx.platform) };
  if (group === 'not-found') return { detail: 'no microphone found', fix: `plug in a microphone; ${retry}` };
  if (group === 'busy') return { detail: 'the microphone is busy or not responding', fix: `close the other app holding it exclusively; ${retry}` };
  switch (report.reason) {
    case 'MicrophoneNotFound': {
      const found = (report.devices ?? []).slice(0, 6).map((d) => `"${d}"`);
      return {
        detail: `no microphone named like "${ctx.device ?? ''}"${found.length ? ` (found ${found.join(', ')})` : ''}`,
        fix: 'run `npm start -- --list-devices` and set AUDIO_INPUT_DEVICE to part of one of the names',
      };
    }
    case 'TrackEnded':
      return { detail: 'the microphone stopped sending sound', fix: `check the cable; ${retry}` };
    case 'NoMediaDevices':
      return { detail: 'the microphone page cannot use microphones', fix: 'keep HOST on 127.0.0.1 (browsers allow microphones only on secure or local pages)' };
    default:
      return { detail: `microphone error: ${report.reason ?? 'Error'}: ${report.message ?? ''}`.slice(0, 200), fix: retry };
  }
}
