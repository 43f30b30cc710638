/**
 * The voice's TTS as a service actor (one per sentence) over the ordered list of engines
 * (src/tts/engines.ts), then captions only. Which engine a sentence is tried on, when one is
 * asked again (a 429 a few times with growing pauses, 5xx / timeout / network once) and when one
 * is turned off (401/403, 402) is decided by the `voiceEngines` machine (machines/voiceEngines.ts,
 * the orchestrator's child once `start(children)` ran); this adapter calls the engine it is told
 * to, reports how it went, and keeps the `tts` line of the status board honest: why the first
 * engine is not used, and what is used instead.
 */
import type { TtsEngineName, TtsEvent } from '../../machines/events.ts';
import { service } from '../../machines/services.ts';
import type { SynthesizeInput } from '../../machines/voice.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { wallClock } from '../clock.ts';
import type { AdapterChild } from '../../machines/children.ts';
import type { EngineFailure, VoiceEnginesEmitted } from '../../machines/voiceEngines.ts';
import { standaloneChildren, tell, type ChildHost } from '../children.ts';
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

function failureKind(kind: TtsErrorKind): EngineFailure['kind'] {
  if (kind === 'rate-limit' || kind === 'server' || kind === 'timeout' || kind === 'network' || kind === 'auth' || kind === 'payment' || kind === 'aborted') return kind;
  return 'other';
}

/** The first pause before asking Deepgram again; a 429 doubles it each time (machines/ttsRetry.ts). */
export const TTS_RETRY_BASE_MS = 200;

type SentenceNews = Exclude<VoiceEnginesEmitted, { type: 'engine.turnedOff' }>;

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
    if (!lead || machine?.getSnapshot().context.off.includes(lead.name)) return;
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

  let machine: AdapterChild<'voiceEngines'> | undefined;
  /** Sentences under way: what the machine says about each goes to its listener. */
  const listeners = new Map<string, (news: SentenceNews) => void>();
  let sentences = 0;

  /** Starts the engines' machine: in Pickle as the orchestrator's child; without, in a system of its own. */
  function start(children: ChildHost = standaloneChildren()): AdapterChild<'voiceEngines'> {
    if (machine) return machine;
    const m = children.start({ src: 'voiceEngines', systemId: 'voiceEngines', input: { order: ready.map((s) => s.name), retryBaseMs: retryDelayMs } });
    machine = m;
    m.on('engine.speak', (e) => listeners.get(e.key)?.(e));
    m.on('sentence.over', (e) => listeners.get(e.key)?.(e));
    m.on('engine.turnedOff', (e) => log.warn({ event: 'tts-off', engine: e.engine }, 'TTS engine turned off until restart'));
    return m;
  }

  /** Speaks one sentence with the engines the machine picks. Rejects with a TtsError. */
  function synthesize(text: string, signal: AbortSignal, onAudio: (pcm: Buffer) => void): Promise<EngineUsed> {
    const m = start();
    const v = opts.voice();
    const key = `sentence-${++sentences}`;
    let delivered = 0;
    const emit = (pcm: Buffer) => {
      delivered += pcm.length;
      onAudio(pcm);
    };
    return new Promise<EngineUsed>((resolve, reject) => {
      /** The last engine that failed on this sentence, with its error and how many tries it had. */
      let failed: { entry: (typeof ready)[number]; err: TtsError; attempt: number } | undefined;
      const finish = () => {
        listeners.delete(key);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        finish();
        tell(m, { type: 'sentence.abandoned', key });
        reject(new TtsError('aborted', 'aborted', false));
      };
      const speak = async (name: string, attempt: number) => {
        const entry = ready.find((e) => e.name === name)!;
        const t0 = performance.now();
        try {
          const r = await entry.engine.speak({ text, model: v.model, speed: v.speed, signal, onAudio: emit });
          if (!listeners.has(key)) return;
          log.debug({ event: 'tts', engine: name, chars: text.length, samples: r.samples, firstAudioMs: r.firstAudioMs && Math.round(r.firstAudioMs), attempt }, 'sentence spoken');
          if (entry === lead) leadWorked(v.model);
          finish();
          tell(m, { type: 'engine.spoke', key });
          resolve(entry.engine.name);
        } catch (e) {
          if (!listeners.has(key)) return;
          const err = e instanceof TtsError ? e : new TtsError('server', String(e), true);
          log.warn({ event: 'tts-error', engine: name, kind: err.kind, status: err.status, attempt, ms: Math.round(performance.now() - t0), err: err.message }, 'TTS engine failed');
          failed = { entry, err, attempt };
          tell(m, { type: 'engine.failed', key, failure: { kind: failureKind(err.kind), retryable: err.retryable }, heard: delivered > 0 });
        }
      };
      /** The machine moved on from the lead engine: the status line says why. */
      const leftLead = () => {
        if (failed && failed.entry === lead) leadFailed(failed.err, failed.attempt > 1);
      };
      listeners.set(key, (news) => {
        if (news.type === 'engine.speak') {
          if (failed && failed.entry.name !== news.engine) leftLead();
          return void speak(news.engine, news.attempt);
        }
        finish();
        if (news.how === 'cut' && failed) {
          status.set('tts', 'degraded', `${failed.err.message}: a sentence was cut short`, { lastError: failed.err.message });
          return resolve(failed.entry.engine.name);
        }
        if (news.how === 'unvoiced') leftLead();
        if (failed) reject(failed.err);
        else resolve('none');
      });
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return onAbort();
      tell(m, { type: 'sentence.requested', key, preferred: v.provider });
    });
  }

  /** The actor the voice machine spawns per sentence; stopping it aborts the request. */
  const actor = service<SynthesizeInput, TtsEvent>(({ input, sendBack }) => {
    const ctrl = new AbortController();
    let live = true;
    const send = (e: TtsEvent) => {
      if (live) sendBack(e);
    };
    const { replyId, index } = input;
    synthesize(input.text, ctrl.signal, (pcm) => send({ type: 'tts.audio', replyId, index, pcm, ts: wallClock() })).then(
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

  return { actor, synthesize, reportInitial, start };
}
