/**
 * Deepgram Aura through the official SDK (`speak.request`, REST `/v1/speak`): PCM16 24 kHz
 * (`encoding=linear16&sample_rate=24000&container=none`, so no WAV header), streamed to the
 * caller as it arrives. DEEPGRAM_URL points the SDK at another base URL (a proxy; tests use
 * the stand-in). Failures are TtsErrors with `retryable` (errors.ts); retrying and falling
 * back are the caller's business.
 *
 * The SDK takes no AbortSignal for `request`: a stopped request is left to finish its headers
 * and its body is cancelled then (which closes the connection); nothing reaches the caller
 * after `signal` fired.
 */
import { withDeadline } from '../deadline.ts';
import type { DeepgramClient } from '@deepgram/sdk';
import { VOICE_SAMPLE_RATE } from '../../machines/events.ts';
import { TtsError, classifyDeepgramError } from './errors.ts';
import { SampleAligner, type EngineSlot, type SpeakRequest, type SpeakResult, type TtsEngine, type VoiceEnginePlugin } from './types.ts';

export interface DeepgramTtsOptions {
  apiKey: string;
  /** DEEPGRAM_URL: base URL instead of https://api.deepgram.com. */
  url?: string;
  /** Request to response headers (Deepgram sends them with the first audio). Default 5 000. */
  firstByteTimeoutMs?: number;
  /** Longest wait for the next chunk once audio flows. Default 5 000. */
  stallTimeoutMs?: number;
}

/** Deepgram's limit per request; sentences are far shorter, this only guards against a runaway. */
export const MAX_TEXT_CHARS = 2000;

/** Aura-2 speed range (early access); 1 is sent as nothing at all, so older voices never see it. */
export function deepgramSpeed(speed: number): number | undefined {
  if (!Number.isFinite(speed) || Math.abs(speed - 1) < 0.01) return undefined;
  return Math.round(Math.min(1.5, Math.max(0.7, speed)) * 100) / 100;
}

export function displayUrl(url: string | undefined): string {
  if (!url) return 'api.deepgram.com';
  try {
    return new URL(url).host;
  } catch {
    return '(invalid DEEPGRAM_URL)';
  }
}

export function createDeepgramTts(opts: DeepgramTtsOptions): TtsEngine & { readonly where: string } {
  const { firstByteTimeoutMs = 5000, stallTimeoutMs = 5000 } = opts;
  const where = displayUrl(opts.url);
  // A trailing slash keeps a path prefix in DEEPGRAM_URL (https://proxy/dg/ + v1/speak).
  const base = opts.url ? (opts.url.endsWith('/') ? opts.url : `${opts.url}/`) : undefined;
  // The SDK (~23 MB) loads when the engine is made (with the key), in the background so start-up does
  // not wait for it, and the first sentence does not either.
  let client: Promise<DeepgramClient> | undefined;
  const clientNow = () =>
    (client ??= import('@deepgram/sdk').then(({ createClient }) =>
      // The speak namespace's own URL is read too late by the SDK (v4): set it globally on this client.
      createClient(opts.apiKey, base ? { global: { fetch: { options: { url: base } } } } : {}),
    ));
  void clientNow();

  async function speak(req: SpeakRequest): Promise<SpeakResult> {
    const { signal } = req;
    if (signal.aborted) throw new TtsError('aborted', 'aborted', false);
    const started = performance.now();
    const speed = deepgramSpeed(req.speed);
    const text = req.text.slice(0, MAX_TEXT_CHARS);

    const pending = (await clientNow()).speak.request(
      { text },
      {
        model: req.model,
        encoding: 'linear16',
        sample_rate: VOICE_SAMPLE_RATE,
        container: 'none',
        ...(speed !== undefined ? { speed } : {}),
      },
    );
    // Until the headers come, only a timer or the caller can end the wait.
    const response = await withDeadline(pending, firstByteTimeoutMs, () => new TtsError('timeout', `Deepgram did not answer within ${firstByteTimeoutMs} ms (${where})`, true), {
      signal,
      onAbort: () => new TtsError('aborted', 'aborted', false),
    }).catch((err: unknown) => {
      // Whatever comes later is not wanted any more: close it.
      pending.then((r) => r.getStream()).then((s) => s?.cancel().catch(() => {}), () => {});
      throw classifyDeepgramError(err, where);
    });

    const stream = await response.getStream();
    if (!stream) throw new TtsError('server', `Deepgram sent no audio (${where})`, true);
    const reader = stream.getReader();
    const aligner = new SampleAligner();
    let samples = 0;
    let firstAudioMs: number | undefined;
    const cancel = () => void reader.cancel().catch(() => {});
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const next = await withDeadline(reader.read(), stallTimeoutMs, () => new TtsError('timeout', `Deepgram stopped sending audio for ${stallTimeoutMs} ms (${where})`, true));
        if (signal.aborted) throw new TtsError('aborted', 'aborted', false);
        if (next.done) break;
        const pcm = aligner.push(next.value);
        if (!pcm) continue;
        firstAudioMs ??= performance.now() - started;
        samples += pcm.length / 2;
        req.onAudio(pcm);
      }
    } catch (err) {
      cancel();
      if (signal.aborted) throw new TtsError('aborted', 'aborted', false);
      throw classifyDeepgramError(err, where);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    return { samples, firstAudioMs };
  }

  return { name: 'deepgram', where, speak };
}

/** Deepgram's place in the voice's fallback order (ready when DEEPGRAM_API_KEY is set). */
export function deepgramSlot(engine: (TtsEngine & { readonly where: string }) | undefined): EngineSlot {
  return {
    name: 'deepgram',
    engine,
    describe: (model) => `Deepgram Aura voice (${model}) at ${engine?.where ?? displayUrl(undefined)}`,
    short: 'Deepgram',
    speaking: 'the Deepgram Aura voice',
    missing: 'no DEEPGRAM_API_KEY',
    notSetUp: engine === undefined,
    fix: 'set DEEPGRAM_API_KEY in .env (https://console.deepgram.com) for a natural voice',
  };
}

export const deepgramVoice: VoiceEnginePlugin<'deepgram'> = {
  name: 'deepgram',
  open: ({ env, deepgramTimeoutMs }) =>
    Promise.resolve(
      deepgramSlot(
        env.DEEPGRAM_API_KEY
          ? createDeepgramTts({
              apiKey: env.DEEPGRAM_API_KEY,
              ...(env.DEEPGRAM_URL ? { url: env.DEEPGRAM_URL } : {}),
              ...(deepgramTimeoutMs ? { firstByteTimeoutMs: deepgramTimeoutMs, stallTimeoutMs: deepgramTimeoutMs } : {}),
            })
          : undefined,
      ),
    ),
};
