/**
 * The voice's TTS engines, in fallback order: the first ready one speaks, the next ones take
 * over when it fails (machines/voiceEngines.ts decides when), captions only after the last.
 * A new engine is a `VoiceEnginePlugin` in its own file, added here.
 */
import { deepgramVoice } from './deepgram.ts';
import { espeakVoice } from './espeak.ts';

export const VOICE_ENGINES = [deepgramVoice, espeakVoice] as const;

const [first, ...rest] = VOICE_ENGINES;
/** The names a persona may ask for (`voice.provider`). */
export const VOICE_ENGINE_NAMES = [first.name, ...rest.map((e) => e.name)] as const;
