/** What passes inside the voice: the voice machine, its TTS actors and its playback actor. */

/** The voice's audio format everywhere (TTS output, overlay stream, local device): PCM16 LE mono. */
export const VOICE_SAMPLE_RATE = 24_000;

/** A TTS engine's name as it shows on /health and the panel (`deepgram`, `espeak`, …; `none`: captions only). */
export type TtsEngineName = string;

/** What an invoked TTS actor reports about its failure (src/tts maps provider errors to this). */
export interface TtsFailure {
  kind: 'auth' | 'payment' | 'rate-limit' | 'server' | 'timeout' | 'network' | 'bad-request' | 'unavailable' | 'aborted';
  message: string;
  retryable: boolean;
}

/** Events a synthesize actor (one per sentence) sends to the voice machine that spawned it; `ts`: the adapter's clock (ms since the epoch). */
export type TtsEvent =
  /** Audio as it arrives: whole PCM16 samples at VOICE_SAMPLE_RATE. */
  | { type: 'tts.audio'; replyId: string; index: number; pcm: Uint8Array; ts?: number }
  /** No more audio for this sentence; `engine` names the engine that spoke it, `'none'` means captions only. */
  | { type: 'tts.done'; replyId: string; index: number; engine: TtsEngineName }
  | { type: 'tts.failed'; replyId: string; index: number; error: TtsFailure };

/** What the voice machine sends its playback actor, strictly in playing order. */
export type PlayCommand =
  | { type: 'play.audio'; index: number; pcm: Uint8Array }
  /** A sentence without audio (captions only, or its TTS failed): shown for its reading time. */
  | { type: 'play.silence'; index: number; ms: number }
  /** No more sentences in this reply: end the stream, report `playback.drained` when it has been heard. */
  | { type: 'play.finish' };

/** What the playback actor reports back (its clock: the overlay's report, or sample counts); `ts`: when it happens, ms since the epoch. */
export type PlaybackEvent =
  /** Sentence `index` starts being heard (caption sync). */
  | { type: 'playback.started'; replyId: string; index: number; ts?: number }
  /** The player's model of the device's clock: sentence `index` starts being heard in `inMs` (the voice machine announces it then). */
  | { type: 'playback.scheduled'; replyId: string; index: number; inMs: number; ts?: number }
  /** Everything was played. */
  | { type: 'playback.drained'; replyId: string };
