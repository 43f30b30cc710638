import type { Readable } from 'node:stream';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { ChildHost } from '../children.ts';
import type { PickleEvent } from '../../machines/events.ts';
import { AudioInputError, fileSource, microphoneSource, streamSource, type AudioInput } from '../audio/inputs.ts';
import type { PortAudioLoad } from '../audio/portaudio.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { browserMicSource, microphoneFault, type MicReport } from '../audio/browserMic.ts';
import type { SharedBrowser } from '../browser/shared.ts';
import type { MicChannel } from '../audio/micChannel.ts';
import type { DeepgramLive, LiveStats } from './deepgram.ts';

/**
 * Ears: the streamer's voice → Deepgram → `stt.*` events for the speech machine.
 * Started by the app; reports `stt` on the status board in every case (disabled with the step
 * that enables it, down with the fix, up while hearing).
 */

export interface EarsTuning {
  keepAliveMs?: number;
  backoffMs?: number;
  stableMs?: number;
  closeTimeoutMs?: number;
  /** Audio chunk size in ms (default 100). */
  chunkMs?: number;
  /** Stands in for process.stdin with AUDIO_INPUT_FILE=-. */
  stdin?: Readable;
  loadPortAudio?: () => Promise<PortAudioLoad>;
  /** How often the microphone page retries a microphone that failed (default 10 000). */
  micRetryMs?: number;
  /** Browser relaunch backoff for the microphone page. */
  browserBackoff?: { baseMs: number; maxMs: number };
}

/** The hidden browser the microphone is read through (AUDIO_INPUT=browser, the default). */
export interface EarsBrowser {
  /** Undefined when no browser can be used; `fault` says why. */
  shared: SharedBrowser | undefined;
  fault?: { detail: string; fix: string };
  /** Pickle's server, where the microphone page is served. */
  baseUrl: string;
  /** The socket the page sends audio on (default: an exposed function). */
  channel?: MicChannel;
}

export interface EarsOptions {
  env: Env;
  log: Logger;
  status: StatusBoard;
  send: (event: PickleEvent) => void;
  /** The orchestrator's outputs (what the streamer said, what was ignored). */
  events: Pick<PickleActor, 'on'>;
  browser?: EarsBrowser;
  /** Where each Deepgram stream's reconnect machine runs (in Pickle: the orchestrator's children). */
  children?: ChildHost;
  /** Ears are turned off (privacy): nothing is opened until `resume`. */
  paused?: boolean;
  platform?: NodeJS.Platform;
  tuning?: EarsTuning;
}

export interface Ears {
  /** What is heard from ("the microphone", "file x.wav", "stdin"), when listening. */
  source: string | undefined;
  stats(): LiveStats | undefined;
  /** The microphone page's last report (browser input only): device, rate, when getUserMedia was called. */
  microphone(): MicReport | undefined;
  /** Ears off: CloseStream to Deepgram, the microphone released; `/health` says `paused`. */
  pause(): Promise<void>;
  /** Ears on again (a new Deepgram stream, the microphone reopened). */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** How the streamer turns ears back on. */
export const EARS_RESUME = 'turn ears on in the panel (Senses), type `!privacy off` in chat, or PUT /api/settings/senses {"ears": true}';

const idle: Ears = { source: undefined, stats: () => undefined, microphone: () => undefined, pause: async () => {}, resume: async () => {}, stop: async () => {} };

export async function startEars(opts: EarsOptions): Promise<Ears> {
  const { env, log, status } = opts;
  const t = opts.tuning ?? {};
  const platform = opts.platform ?? process.platform;

  if (!env.STT_ENABLED) {
    status.set('stt', 'disabled', 'STT_ENABLED=false: Pickle does not listen to your microphone', { fix: 'set STT_ENABLED=true in .env', configured: false });
    return idle;
  }
  if (!env.DEEPGRAM_API_KEY) {
    status.set('stt', 'disabled', 'no DEEPGRAM_API_KEY: Pickle cannot hear you (chat still works)', {
      fix: 'set DEEPGRAM_API_KEY in .env (https://console.deepgram.com) to talk to Pickle out loud',
      configured: false,
    });
    return idle;
  }
  const key = env.DEEPGRAM_API_KEY;

  const file = env.AUDIO_INPUT_FILE;
  if (file === '-' && !t.stdin && process.stdin.isTTY) {
    status.set('stt', 'down', 'AUDIO_INPUT_FILE=- but nothing is piped in: Pickle cannot hear you', {
      fix: 'pipe raw 16 kHz mono 16-bit audio in (e.g. `sox -d -t raw -r 16000 -c 1 -b 16 -e signed - | npm start`), or unset AUDIO_INPUT_FILE to use the microphone',
    });
    return idle;
  }
  const browser = opts.browser;
  const useBrowser = !file && env.AUDIO_INPUT === 'browser';
  if (useBrowser && (!browser || !browser.shared)) {
    const fault = browser?.fault ?? { detail: 'no browser to hear you through', fix: 'install Chrome, Chromium or Edge, or set CHROME_PATH' };
    status.set('stt', 'down', `${fault.detail}: Pickle cannot hear you`, { fix: fault.fix, lastError: fault.detail });
    return idle;
  }
  const micRetryMs = t.micRetryMs ?? 10_000;
  let lastMic: MicReport | undefined;

  /** One listening session: a fresh input and a fresh Deepgram stream (a paused session is thrown away). */
  async function listen(): Promise<{ input: AudioInput; live: DeepgramLive } | undefined> {
    const input: AudioInput =
      file === '-'
        ? streamSource(t.stdin ?? process.stdin, 'stdin', t.chunkMs ? { chunkMs: t.chunkMs } : {})
        : file
          ? fileSource(file, t.chunkMs ? { chunkMs: t.chunkMs } : {})
          : useBrowser
            ? browserMicSource({
                shared: browser!.shared!,
                baseUrl: browser!.baseUrl,
                device: env.AUDIO_INPUT_DEVICE,
                ...(browser!.channel ? { channel: browser!.channel } : {}),
                log,
                retryMs: micRetryMs,
                ...(t.chunkMs ? { chunkMs: t.chunkMs } : {}),
                ...(t.browserBackoff ? { backoff: t.browserBackoff } : {}),
                onReport: (r) => {
                  lastMic = r;
                  if (r.state === 'down') {
                    const f = microphoneFault(r, { platform, device: env.AUDIO_INPUT_DEVICE, retrySec: Math.round(micRetryMs / 1000) });
                    log.warn({ event: 'stt.microphone', reason: r.reason, err: r.message }, 'microphone down');
                    status.set('stt', 'down', `${f.detail}: Pickle cannot hear you`, { fix: f.fix, lastError: f.detail });
                  } else if (r.state === 'up') {
                    // `stt: up` waits for its audio to reach Deepgram (src/stt/deepgram.ts).
                    log.info({ event: 'stt.microphone', label: r.label, sampleRate: r.sampleRate }, 'microphone open');
                    live.relabelled();
                  }
                },
                onBrowser: (b) => {
                  if (b.state === 'crashed' || b.state === 'failed') {
                    status.set('stt', 'down', `${b.detail}${b.error ? ` (${b.error})` : ''}: Pickle cannot hear you`, {
                      fix: b.state === 'failed' ? 'check that your browser starts (or set CHROME_PATH to another browser)' : 'nothing to do: Pickle restarts it',
                    });
                  }
                },
              })
            : microphoneSource(env.AUDIO_INPUT_DEVICE, t.loadPortAudio);

    // The Deepgram SDK (~23 MB) loads here, with a key and an input: never for a Pickle without ears.
    const { createDeepgramLive } = await import('./deepgram.ts');
    // Created first (not connected yet) so that no audio is lost: it is kept until the stream opens.
    const live = createDeepgramLive({
      key,
      ...(env.DEEPGRAM_URL ? { url: env.DEEPGRAM_URL } : {}),
      model: env.STT_MODEL,
      ...(env.STT_LANGUAGE ? { language: env.STT_LANGUAGE } : {}),
      get label() {
        return input.label;
      },
      log,
      status,
      onEvent: (e) => opts.send(e),
      ...(opts.children ? { children: opts.children } : {}),
      ...(t.keepAliveMs ? { keepAliveMs: t.keepAliveMs } : {}),
      ...(t.backoffMs ? { backoff: { baseMs: t.backoffMs, maxMs: t.backoffMs * 8 } } : {}),
      ...(t.stableMs ? { stableMs: t.stableMs } : {}),
      // Ears off must be over within a second: after CloseStream, Deepgram gets 1 s to send what is left.
      closeTimeoutMs: t.closeTimeoutMs ?? 1000,
    });
    const l = live;
    try {
      await input.start(
        (pcm) => l.sendAudio(pcm),
        () => {
          log.info({ event: 'stt.input-ended', source: input.label }, 'audio input ended');
          l.finalize();
        },
      );
    } catch (err) {
      await l.stop();
      if (!(err instanceof AudioInputError)) throw err;
      log.warn({ event: 'stt.input', err: err.message }, 'no audio input');
      status.set('stt', err.state, `${err.message}: Pickle cannot hear you`, { fix: err.fix, lastError: err.message });
      return undefined;
    }
    l.start();
    return { input, live: l };
  }

  opts.events.on('speech.final', (e) => {
    log.info({ event: 'speech', chars: e.text.length }, 'streamer spoke');
    log.debug({ event: 'speech.text', text: e.text }, 'streamer said');
  });
  opts.events.on('speech.ignored', (e) => {
    log.debug({ event: 'speech.ignored', reason: e.reason, chars: e.text.length }, 'transcript ignored');
  });

  let session: { input: AudioInput; live: DeepgramLive } | undefined;
  let paused = opts.paused ?? false;
  let lastStats: LiveStats | undefined;
  // Pause and resume in the order they were asked for.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => (queue = queue.then(fn, fn)) as Promise<void>;

  async function close(): Promise<void> {
    const s = session;
    session = undefined;
    lastMic = undefined;
    if (!s) return;
    lastStats = s.live.stats();
    // The input first, so nothing is sent after CloseStream; then the stream (CloseStream, close).
    await Promise.all([s.input.stop(), s.live.stop()]);
    lastStats = s.live.stats();
  }

  const showPaused = () => status.set('stt', 'paused', 'ears off: Pickle is not listening to you (nothing is sent to Deepgram)', { fix: EARS_RESUME });
  if (paused) showPaused();
  else {
    session = await listen();
    if (!session) return idle;
  }

  return {
    get source() {
      return session?.input.label;
    },
    stats: () => session?.live.stats() ?? lastStats,
    microphone: () => (session ? lastMic : undefined),
    pause: () =>
      serial(async () => {
        if (paused) return;
        paused = true;
        showPaused();
        await close();
        log.info({ event: 'stt.paused' }, 'ears off');
      }),
    resume: () =>
      serial(async () => {
        if (!paused) return;
        paused = false;
        log.info({ event: 'stt.resumed' }, 'ears on');
        session = await listen();
      }),
    async stop() {
      await serial(async () => {
        paused = true;
        await close();
      });
    },
  };
}
