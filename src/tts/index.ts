/**
 * The voice service: what the voice machine gets from src/ (`synthesize` per sentence,
 * `playback` per reply), built from the engines in src/tts/engines.ts that are configured and
 * installed (Deepgram Aura with DEEPGRAM_API_KEY, then espeak-ng as the local voice); with none,
 * captions only, said on the status board with the step that fixes it.
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
import { VOICE_ENGINES } from './engines.ts';
import { createSynthesizer, type VoiceChoice } from './synthesize.ts';
import type { EngineContext } from './types.ts';
import type { ChildHost } from '../children.ts';

export interface VoiceOptions extends EngineContext {
  env: Env;
  log: Logger;
  status: StatusBoard;
  settings: SettingsStore;
  /** The current persona (it changes with !persona). */
  persona: () => Persona;
  /** Player lead (ms of audio sent ahead of the playhead). */
  leadMs?: number;
  retryDelayMs?: number;
}

export interface Voice {
  synthesize: SynthesizeService;
  playback: PlaybackService;
  overlay: OverlayOutput;
  /** Connects the overlay output to the server's `/avatar` namespace. */
  attach(avatar: AvatarNamespace): void;
  /** Starts the engines' machine (`voiceEngines`) as the orchestrator's child; without it, the first sentence starts it on its own. */
  start(children: ChildHost): void;
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
  const slots = await Promise.all(VOICE_ENGINES.map((e) => e.open(opts)));
  const synth = createSynthesizer({
    slots,
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
    { event: 'voice', engines: slots.filter((s) => s.engine).map((s) => s.name), device: Boolean(device) },
    'voice ready',
  );

  return {
    synthesize: synth.actor,
    playback,
    overlay,
    attach: (avatar) => overlay.attach(avatar),
    start: (children) => void synth.start(children),
  };
}
