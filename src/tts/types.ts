import type { TtsEngineName } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';

/**
 * What the voice needs from a TTS engine, independent of the provider: speak one sentence,
 * streaming PCM16 mono little-endian at VOICE_SAMPLE_RATE (24 kHz) as it arrives. Rejects
 * with a TtsError (kind `aborted` when `signal` fired).
 */
export interface SpeakRequest {
  text: string;
  /** Deepgram voice model, e.g. `aura-asteria-en` (ignored by espeak-ng). */
  model: string;
  /** Speaking rate, 1 = normal. */
  speed: number;
  signal: AbortSignal;
  /** Whole samples only (an even number of bytes), in order. */
  onAudio(pcm: Buffer): void;
}

export interface SpeakResult {
  /** Samples delivered. */
  samples: number;
  /** Request to first audio, ms. */
  firstAudioMs: number | undefined;
}

export interface TtsEngine {
  /** Its place in the fallback order and its name on /health (`deepgram`, `espeak`, …). */
  readonly name: TtsEngineName;
  speak(req: SpeakRequest): Promise<SpeakResult>;
}

/** Collects a byte stream into whole 16-bit samples: a network chunk may end in the middle of one. */
export class SampleAligner {
  private carry: Buffer | undefined;

  push(chunk: Uint8Array): Buffer | undefined {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = undefined;
    }
    if (buf.length % 2 === 1) {
      this.carry = Buffer.from(buf.subarray(buf.length - 1));
      buf = buf.subarray(0, buf.length - 1);
    }
    // Copy: the caller may keep the buffer after the stream reuses its memory.
    return buf.length > 0 ? Buffer.from(buf) : undefined;
  }
}

/**
 * One place in the voice's fallback order: the engine when it is ready, or why it is not and
 * the step that makes it ready. The status board's `tts` line is worded from these.
 */
export interface EngineSlot {
  readonly name: TtsEngineName;
  readonly engine: TtsEngine | undefined;
  /** The engine when it speaks first, e.g. `Deepgram Aura voice (aura-asteria-en) at api.deepgram.com`. */
  describe(model: string): string;
  /** Its short name, as in "espeak-ng as the fallback". */
  readonly short: string;
  /** As in "speaking with the local espeak-ng voice". */
  readonly speaking: string;
  /** Why it is not ready, e.g. `no DEEPGRAM_API_KEY`. */
  readonly missing: string;
  /** Not ready because the streamer did not set it up (no key, turned off): a choice, not a fault. */
  readonly notSetUp: boolean;
  /** The step that makes it ready. */
  readonly fix: string;
}

/** What an engine needs to open: the settings, and the overrides tests and benchmarks give. */
export interface EngineContext {
  env: Env;
  /** false: never use a local engine even when installed (tests that are not about the voice). */
  localVoice?: boolean;
  espeakBinary?: string;
  soxBinary?: string;
  deepgramTimeoutMs?: number;
}

/** A TTS engine as the voice plugs it in: its name and how it opens from settings. */
export interface VoiceEnginePlugin<N extends string = string> {
  readonly name: N;
  open(ctx: EngineContext): Promise<EngineSlot>;
}
