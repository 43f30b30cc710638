/**
 * The voice's TTS as an XState callback actor (one per sentence): Deepgram first, retried when
 * the failure is retryable and nothing was heard yet (a 429 a few times with growing pauses,
 * 5xx / timeout / network once; machines/ttsRetry.ts),
 * then the local espeak-ng voice, then captions only. Keeps the `tts` line of the status
 * board honest: why Deepgram is not used, and what is used instead.
 *
 * A 401/403 (bad key) or 402 (no credit) turns Deepgram off until restart: the key comes
 * from the environment, so asking again with the same key cannot help.
 */
import { fromCallback, type EventObject } from 'xstate';
import type { TtsEvent } from '../../machines/events.ts';
import type { SynthesizeInput } from '../../machines/voice.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { ttsRetryDelayMs, type TtsRetryKind } from '../../machines/ttsRetry.ts';
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

export type EngineUsed = 'deepgram' | 'espeak' | 'none';

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

function retryKind(kind: TtsErrorKind): TtsRetryKind {
  return kind === 'rate-limit' || kind === 'server' || kind === 'timeout' || kind === 'network' ? kind : 'other';
}

/** The first pause before asking Deepgram again; a 429 doubles it each time (machines/ttsRetry.ts). */
export const TTS_RETRY_BASE_MS = 200;

export function createSynthesizer(opts: SynthesizerOptions) {
  const { deepgram, espeak, status, log, retryDelayMs = TTS_RETRY_BASE_MS } = opts;
  const missing = opts.espeakMissing ?? 'espeak-ng is not installed';
  /** Set by an auth/credit failure: Deepgram is not asked again until restart. */
  let deepgramOff: TtsError | undefined;
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
    if (!deepgram || deepgramOff) return;
    status.set('tts', 'up', `Deepgram Aura voice (${model}) at ${deepgram.where}${espeak ? '; espeak-ng as the fallback' : ''}`);
  }

  function deepgramFailed(err: TtsError, retried: boolean): void {
    if (err.kind === 'auth' || err.kind === 'payment') {
      deepgramOff = err;
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

  /** Speaks one sentence with the best engine available. Rejects with a TtsError. */
  async function synthesize(text: string, signal: AbortSignal, onAudio: (pcm: Buffer) => void): Promise<EngineUsed> {
    const v = opts.voice();
    let delivered = 0;
    const emit = (pcm: Buffer) => {
      delivered += pcm.length;
      onAudio(pcm);
    };
    let lastError: TtsError | undefined;
    if (deepgram && !deepgramOff && v.provider === 'deepgram') {
      for (let attempt = 1; ; attempt++) {
        const t0 = performance.now();
        try {
          const r = await deepgram.speak({ text, model: v.model, speed: v.speed, signal, onAudio: emit });
          log.debug({ event: 'tts', engine: 'deepgram', chars: text.length, samples: r.samples, firstAudioMs: r.firstAudioMs && Math.round(r.firstAudioMs), attempt }, 'sentence spoken');
          deepgramWorked(v.model);
          return 'deepgram';
        } catch (e) {
          const err = e instanceof TtsError ? e : new TtsError('server', String(e), true);
          if (err.kind === 'aborted') throw err;
          log.warn({ event: 'tts-error', engine: 'deepgram', kind: err.kind, status: err.status, attempt, ms: Math.round(performance.now() - t0), err: err.message }, 'Deepgram TTS failed');
          if (delivered > 0) {
            // Part of the sentence was already heard: repeating it would be worse than cutting it.
            status.set('tts', 'degraded', `${err.message}: a sentence was cut short`, { lastError: err.message });
            return 'deepgram';
          }
          lastError = err;
          const pause = ttsRetryDelayMs(retryKind(err.kind), err.retryable, attempt, retryDelayMs);
          if (pause !== null) {
            await sleep(pause, signal);
            continue;
          }
          deepgramFailed(err, attempt > 1);
          break;
        }
      }
    }
    if (espeak) {
      const r = await espeak.speak({ text, model: v.model, speed: v.speed, signal, onAudio: emit });
      log.debug({ event: 'tts', engine: 'espeak', chars: text.length, samples: r.samples }, 'sentence spoken');
      return 'espeak';
    }
    if (lastError) throw lastError;
    return 'none';
  }

  /** The actor the voice machine spawns per sentence; stopping it aborts the request. */
  const actor = fromCallback<EventObject, SynthesizeInput>(({ input, sendBack }) => {
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

  return { actor, synthesize, reportInitial, deepgramOff: () => deepgramOff };
}
