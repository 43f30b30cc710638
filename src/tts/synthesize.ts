/**
 * The voice's TTS as a service actor (one per sentence) over an ordered list of engines:
 * Deepgram, then the local espeak-ng voice, then captions only. Which engines a sentence is
 * tried on, when one is asked again (a 429 a few times with growing pauses, 5xx / timeout /
 * network once) and when one is turned off (401/403, 402) is decided in
 * machines/voiceEngines.ts; this adapter calls the engines and keeps the `tts` line of the
 * status board honest: why Deepgram is not used, and what is used instead.
 */
import type { TtsEngineName, TtsEvent } from '../../machines/events.ts';
import { service } from '../../machines/services.ts';
import type { SynthesizeInput } from '../../machines/voice.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { afterFailure, enginesToTry, type EngineFailure } from '../../machines/voiceEngines.ts';
import { TtsError, type TtsErrorKind } from './errors.ts';
import type { TtsEngine } from './types.ts';

export interface VoiceChoice {
  /** Deepgram voice model (settings). */
  model: string;
  /** Speaking rate: the persona's × the settings'. */
  speed: number;
  /** The persona may ask for the local voice. */
  provider: 'deepgram' | 'espeak';
}

export interface SynthesizerOptions {
  deepgram?: (TtsEngine & { readonly where: string }) | undefined;
  espeak?: TtsEngine | undefined;
  /** Why there is no local voice, for status lines (e.g. "espeak-ng is not installed"). */
  espeakMissing?: string;
  voice: () => VoiceChoice;
  status: StatusBoard;
  log: Logger;
  /** Pause before the one retry. Default 200 ms. */
  retryDelayMs?: number;
}

export type EngineUsed = TtsEngineName;

const INSTALL_ESPEAK = 'install espeak-ng (`sudo apt install espeak-ng`, `brew install espeak-ng`) for a local voice';
const GET_KEY = 'set DEEPGRAM_API_KEY in .env (https://console.deepgram.com) for a natural voice';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TtsError('aborted', 'aborted', false));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new TtsError('aborted', 'aborted', false));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function failureKind(kind: TtsErrorKind): EngineFailure['kind'] {
  if (kind === 'rate-limit' || kind === 'server' || kind === 'timeout' || kind === 'network' || kind === 'auth' || kind === 'payment' || kind === 'aborted') return kind;
  return 'other';
}

/** The first pause before asking Deepgram again; a 429 doubles it each time (machines/ttsRetry.ts). */
export const TTS_RETRY_BASE_MS = 200;

export function createSynthesizer(opts: SynthesizerOptions) {
  const { deepgram, espeak, status, log, retryDelayMs = TTS_RETRY_BASE_MS } = opts;
  const missing = opts.espeakMissing ?? 'espeak-ng is not installed';
  const fallbackPhrase = () => (espeak ? 'speaking with the local espeak-ng voice' : 'replies are shown as captions only');

  /** The status at start, from what is configured and installed. */
  function reportInitial(): void {
    if (deepgram) {
      status.set('tts', 'up', `Deepgram Aura voice (${opts.voice().model}) at ${deepgram.where}${espeak ? '; espeak-ng as the fallback' : `; no fallback voice (${missing})`}`, {
        ...(espeak ? {} : { fix: INSTALL_ESPEAK }),
      });
    } else if (espeak) {
      status.set('tts', 'degraded', 'no DEEPGRAM_API_KEY: speaking with the local espeak-ng voice', { fix: GET_KEY });
    } else {
      status.set('tts', 'disabled', `no DEEPGRAM_API_KEY and ${missing}: replies are shown as captions only`, {
        fix: `${GET_KEY}, or ${INSTALL_ESPEAK}`,
      });
    }
  }

  function deepgramWorked(model: string): void {
    if (!deepgram || off.has(deepgram.name)) return;
    status.set('tts', 'up', `Deepgram Aura voice (${model}) at ${deepgram.where}${espeak ? '; espeak-ng as the fallback' : ''}`);
  }

  function deepgramFailed(err: TtsError, retried: boolean): void {
    if (err.failureClass === 'auth') {
      status.set('tts', 'down', `${err.message}: ${fallbackPhrase()} until Pickle restarts`, {
        ...(err.fix ? { fix: err.fix } : {}),
        lastError: err.message,
      });
      return;
    }
    const what = retried ? `${err.message}, also on the retry` : err.message;
    status.set('tts', 'degraded', `${what}: ${espeak ? 'this sentence used the espeak-ng voice' : 'this sentence is shown as a caption only'}`, {
      ...(err.fix ? { fix: err.fix } : {}),
      lastError: err.message,
    });
  }

  /** The engines in fallback order, each with what its success or failure means for the status line. */
  interface Entry {
    engine: TtsEngine;
    worked?: (model: string) => void;
    failed?: (err: TtsError, retried: boolean) => void;
  }
  const entries: Entry[] = [
    ...(deepgram ? [{ engine: deepgram, worked: deepgramWorked, failed: deepgramFailed }] : []),
    ...(espeak ? [{ engine: espeak }] : []),
  ];
  const order = entries.map((e) => e.engine.name);
  const off = new Set<string>();

  /** Speaks one sentence with the best engine available (machines/voiceEngines.ts decides the order and the retries). Rejects with a TtsError. */
  async function synthesize(text: string, signal: AbortSignal, onAudio: (pcm: Buffer) => void): Promise<EngineUsed> {
    const v = opts.voice();
    let delivered = 0;
    const emit = (pcm: Buffer) => {
      delivered += pcm.length;
      onAudio(pcm);
    };
    let lastError: TtsError | undefined;
    for (const name of enginesToTry(order, v.provider, off)) {
      const entry = entries.find((e) => e.engine.name === name)!;
      for (let attempt = 1; ; attempt++) {
        const t0 = performance.now();
        try {
          const r = await entry.engine.speak({ text, model: v.model, speed: v.speed, signal, onAudio: emit });
          log.debug({ event: 'tts', engine: name, chars: text.length, samples: r.samples, firstAudioMs: r.firstAudioMs && Math.round(r.firstAudioMs), attempt }, 'sentence spoken');
          entry.worked?.(v.model);
          return entry.engine.name;
        } catch (e) {
          const err = e instanceof TtsError ? e : new TtsError('server', String(e), true);
          log.warn({ event: 'tts-error', engine: name, kind: err.kind, status: err.status, attempt, ms: Math.round(performance.now() - t0), err: err.message }, 'TTS engine failed');
          const next = afterFailure({ kind: failureKind(err.kind), retryable: err.retryable }, attempt, delivered > 0, retryDelayMs);
          if (next.step === 'stop') throw err;
          if (next.step === 'cut') {
            status.set('tts', 'degraded', `${err.message}: a sentence was cut short`, { lastError: err.message });
            return entry.engine.name;
          }
          lastError = err;
          if (next.step === 'retry') {
            await sleep(next.pauseMs, signal);
            continue;
          }
          if (next.turnOff) off.add(name);
          entry.failed?.(err, attempt > 1);
          break;
        }
      }
    }
    if (lastError) throw lastError;
    return 'none';
  }

  /** The actor the voice machine spawns per sentence; stopping it aborts the request. */
  const actor = service<SynthesizeInput, TtsEvent>(({ input, sendBack }) => {
    const ctrl = new AbortController();
    let live = true;
    const send = (e: TtsEvent) => {
      if (live) sendBack(e);
    };
    const { replyId, index } = input;
    synthesize(input.text, ctrl.signal, (pcm) => send({ type: 'tts.audio', replyId, index, pcm })).then(
      (engine) => send({ type: 'tts.done', replyId, index, engine }),
      (err: unknown) => {
        const failure = err instanceof TtsError ? err.toFailure() : { kind: 'server' as const, message: String(err), retryable: false };
        if (failure.kind !== 'aborted') log.warn({ event: 'tts-failed', replyId, index, kind: failure.kind, err: failure.message }, 'no voice for a sentence');
        send({ type: 'tts.failed', replyId, index, error: failure });
      },
    );
    return () => {
      live = false;
      ctrl.abort();
    };
  });

  return { actor, synthesize, reportInitial };
}
