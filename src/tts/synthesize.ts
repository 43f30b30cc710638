/**
 * The voice's TTS as a service actor (one per sentence) over the ordered list of engines
 * (src/tts/engines.ts), then captions only. Which engines a sentence is tried on, when one is
 * asked again (a 429 a few times with growing pauses, 5xx / timeout / network once) and when one
 * is turned off (401/403, 402) is decided in machines/voiceEngines.ts; this adapter calls the
 * engines and keeps the `tts` line of the status board honest: why the first engine is not used,
 * and what is used instead.
 */
import type { TtsEngineName, TtsEvent } from '../../machines/events.ts';
import { service } from '../../machines/services.ts';
import type { SynthesizeInput } from '../../machines/voice.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { afterFailure, enginesToTry, type EngineFailure } from '../../machines/voiceEngines.ts';
import { TtsError, type TtsErrorKind } from './errors.ts';
import type { EngineSlot, TtsEngine } from './types.ts';

export interface VoiceChoice {
  /** Voice model (settings), for engines that have several. */
  model: string;
  /** Speaking rate: the persona's × the settings'. */
  speed: number;
  /** The engine the persona asks for first. */
  provider: TtsEngineName;
}

export interface SynthesizerOptions {
  /** The engines in fallback order, ready or not (see EngineSlot). */
  slots: readonly EngineSlot[];
  voice: () => VoiceChoice;
  status: StatusBoard;
  log: Logger;
  /** Pause before the one retry. Default 200 ms. */
  retryDelayMs?: number;
}

export type EngineUsed = TtsEngineName;

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
  const { slots, status, log, retryDelayMs = TTS_RETRY_BASE_MS } = opts;
  const ready = slots.filter((s): s is EngineSlot & { engine: TtsEngine } => s.engine !== undefined);
  /** The engine the status line is about: the first of the list, when it is ready. */
  const lead = ready[0] === slots[0] ? ready[0] : undefined;
  const fallback = lead ? ready[1] : undefined;
  const fallbackPhrase = () => (fallback ? `speaking with ${fallback.speaking}` : 'replies are shown as captions only');
  const leadLine = (model: string) => `${lead!.describe(model)}${fallback ? `; ${fallback.short} as the fallback` : ''}`;

  /** The status at start, from what is configured and installed. */
  function reportInitial(): void {
    const first = slots[0];
    if (!first) return status.set('tts', 'disabled', 'no voice engine: replies are shown as captions only');
    if (lead) {
      const notReady = slots.slice(1).find((s) => !s.engine);
      if (fallback || !notReady) return status.set('tts', 'up', leadLine(opts.voice().model));
      status.set('tts', 'up', `${leadLine(opts.voice().model)}; no fallback voice (${notReady.missing})`, { fix: notReady.fix });
    } else if (ready[0]) {
      // An engine the streamer never set up is an option left off: the voice works, with the next one.
      if (first.notSetUp) status.set('tts', 'up', `speaking with ${ready[0].speaking} (${first.short} is optional: ${first.missing})`, { fix: first.fix });
      else status.set('tts', 'degraded', `${first.missing}: speaking with ${ready[0].speaking}`, { fix: first.fix });
    } else {
      status.set('tts', 'disabled', `${slots.map((s) => s.missing).join(' and ')}: replies are shown as captions only`, {
        fix: slots.map((s) => s.fix).join(', or '),
        // Every voice left off on purpose is a choice; one that should be there and is not is a fault.
        configured: !slots.every((s) => s.notSetUp),
      });
    }
  }

  function leadWorked(model: string): void {
    if (!lead || off.has(lead.name)) return;
    status.set('tts', 'up', leadLine(model));
  }

  function leadFailed(err: TtsError, retried: boolean): void {
    if (err.failureClass === 'auth') {
      status.set('tts', 'down', `${err.message}: ${fallbackPhrase()} until Pickle restarts`, {
        ...(err.fix ? { fix: err.fix } : {}),
        lastError: err.message,
      });
      return;
    }
    const what = retried ? `${err.message}, also on the retry` : err.message;
    status.set('tts', 'degraded', `${what}: ${fallback ? `this sentence used the ${fallback.short} voice` : 'this sentence is shown as a caption only'}`, {
      ...(err.fix ? { fix: err.fix } : {}),
      lastError: err.message,
    });
  }

  const order = ready.map((s) => s.name);
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
      const entry = ready.find((e) => e.name === name)!;
      for (let attempt = 1; ; attempt++) {
        const t0 = performance.now();
        try {
          const r = await entry.engine.speak({ text, model: v.model, speed: v.speed, signal, onAudio: emit });
          log.debug({ event: 'tts', engine: name, chars: text.length, samples: r.samples, firstAudioMs: r.firstAudioMs && Math.round(r.firstAudioMs), attempt }, 'sentence spoken');
          if (entry === lead) leadWorked(v.model);
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
          if (entry === lead) leadFailed(err, attempt > 1);
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
