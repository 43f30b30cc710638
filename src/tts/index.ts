/**
 * The voice service: what the voice machine gets from src/ (`synthesize` per sentence,
 * `playback` per reply), built from what is configured and installed:
 *   - Deepgram Aura when DEEPGRAM_API_KEY is set (DEEPGRAM_URL for another base URL);
 *   - espeak-ng as the local voice (fallback, or the only voice without a key), resampled by sox
 *     when installed, in-process otherwise;
 *   - neither: captions only, said on the status board with the step that fixes it.
 * Audio goes to the overlay (`/avatar`, Web Audio in OBS) and, with AUDIO_OUTPUT_DEVICE and
 * naudiodon installed, to a local sound device too.
 */
import type { AvatarNamespace } from '../screens/namespaces.ts';
import { VOICE_SAMPLE_RATE } from '../../machines/events.ts';
import type { PlaybackService, SynthesizeService } from '../../machines/services.ts';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import { defaultSettings, type SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { openLocalOutput } from '../audio/localDevice.ts';
import { createOverlayOutput, type OverlayOutput } from '../audio/overlay.ts';
import { combineSinks, createPlayback } from '../audio/player.ts';
import { createDeepgramTts } from './deepgram.ts';
import { createEspeakTts, probeLocalVoice } from './espeak.ts';
import { createSynthesizer, type VoiceChoice } from './synthesize.ts';

export interface VoiceOptions {
  env: Env;
  log: Logger;
  status: StatusBoard;
  settings: SettingsStore;
  /** The current persona (it changes with !persona). */
  persona: () => Persona;
  /** false: never use espeak-ng even when installed (tests that are not about the voice). */
  localVoice?: boolean;
  espeakBinary?: string;
  soxBinary?: string;
  /** Player lead (ms of audio sent ahead of the playhead). */
  leadMs?: number;
  retryDelayMs?: number;
  deepgramTimeoutMs?: number;
}

export interface Voice {
  synthesize: SynthesizeService;
  playback: PlaybackService;
  overlay: OverlayOutput;
  /** Connects the overlay output to the server's `/avatar` namespace. */
  attach(avatar: AvatarNamespace): void;
}

const DEFAULT_MODEL = defaultSettings().voice.model;

/**
 * The voice to use now: the settings' model when the streamer picked one, else the persona's
 * `voice_id`; speed = persona speed × settings speed.
 */
export function voiceChoice(settings: SettingsStore, persona: Persona): VoiceChoice {
  const s = settings.get().voice;
  const p = persona.file.voice;
  return {
    model: s.model !== DEFAULT_MODEL ? s.model : p.voice_id,
    speed: p.speed * s.speed,
    provider: p.provider,
  };
}

export async function startVoice(opts: VoiceOptions): Promise<Voice> {
  const { env, log, status, settings } = opts;
  const local =
    opts.localVoice === false ? { espeak: undefined, sox: false } : await probeLocalVoice(opts.espeakBinary ?? 'espeak-ng', opts.soxBinary ?? 'sox');
  const espeak = local.espeak
    ? createEspeakTts({ binary: opts.espeakBinary ?? 'espeak-ng', sox: local.sox ? (opts.soxBinary ?? 'sox') : null })
    : undefined;
  const deepgram = env.DEEPGRAM_API_KEY
    ? createDeepgramTts({
        apiKey: env.DEEPGRAM_API_KEY,
        ...(env.DEEPGRAM_URL ? { url: env.DEEPGRAM_URL } : {}),
        ...(opts.deepgramTimeoutMs ? { firstByteTimeoutMs: opts.deepgramTimeoutMs, stallTimeoutMs: opts.deepgramTimeoutMs } : {}),
      })
    : undefined;
  const synth = createSynthesizer({
    deepgram,
    espeak,
    espeakMissing: opts.localVoice === false ? 'the local voice is turned off' : 'espeak-ng is not installed',
    voice: () => voiceChoice(settings, opts.persona()),
    status,
    log,
    ...(opts.retryDelayMs !== undefined ? { retryDelayMs: opts.retryDelayMs } : {}),
  });
  synth.reportInitial();

  const overlay = createOverlayOutput();
  // With AUDIO_OUTPUT=local the browser plays the voice (src/audio/localSpeaker.ts) and AUDIO_OUTPUT_DEVICE names its speaker.
  const device = env.AUDIO_OUTPUT_DEVICE && env.AUDIO_OUTPUT !== 'local'
    ? await openLocalOutput(env.AUDIO_OUTPUT_DEVICE, { status, log, sampleRate: VOICE_SAMPLE_RATE })
    : undefined;
  const playback = createPlayback({ sink: device ? combineSinks([overlay, device]) : overlay, ...(opts.leadMs !== undefined ? { leadMs: opts.leadMs } : {}) });
  log.info(
    { event: 'voice', deepgram: deepgram?.where ?? null, espeak: local.espeak ?? null, resampler: espeak ? (local.sox ? 'sox' : 'linear') : null, device: Boolean(device) },
    'voice ready',
  );

  return {
    synthesize: synth.actor,
    playback,
    overlay,
    attach: (avatar) => overlay.attach(avatar),
  };
}
